package matrix

import _ "embed"

// schema is the JSON Schema of matrix.yaml. TestSchemaMatchesParser keeps
// it in step with the keys the decoder accepts.
//
//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of matrix.yaml, for
// editors: with the YAML language server, a first line
// `# yaml-language-server: $schema=<file>` completes and checks keys as
// they are typed. Validate checks more than a schema can.
func Schema() []byte { return append([]byte(nil), schema...) }
