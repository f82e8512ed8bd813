package cli

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/buildinfo"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	want := buildinfo.Read().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		env, out, errw := testEnv()
		assert.Equal(t, ExitOK, Main(context.Background(), args, env), "%v: %s", args, errw)
		assert.Equal(t, want, out.String(), "%v", args)
		assert.Regexp(t, `^soaklab \S+ \(commit \S+(, modified)?, go1\.\d+`, out.String())
	}

	env, out, _ := testEnv()
	require.Equal(t, ExitOK, Main(context.Background(), []string{"version", "--json"}, env))
	var info buildinfo.Info
	require.NoError(t, json.Unmarshal(out.Bytes(), &info))
	assert.Equal(t, buildinfo.Read(), info)

	env, _, errw := testEnv()
	assert.Equal(t, ExitUsage, Main(context.Background(), []string{"version", "extra"}, env))
	assert.Contains(t, errw.String(), `unexpected argument "extra"`)

	env, out, _ = testEnv()
	assert.Equal(t, ExitOK, Main(context.Background(), []string{"version", "-h"}, env))
	assert.Contains(t, out.String(), "soaklab version --json")
}
