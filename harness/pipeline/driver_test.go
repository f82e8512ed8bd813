package pipeline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBody(t *testing.T) {
	t.Parallel()
	b := body(1000)
	assert.Len(t, b, 1000)
	assert.False(t, strings.ContainsAny(string(b), "\"\\\n"), "JSON-safe text")
}
