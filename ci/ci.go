// Package ci holds soaklab's nightly soak workflows for users' CI (GitHub
// Actions and GitLab CI) and the matrices CI runs: ci/nightly.yaml,
// ci/verdicts.yaml (`make verdicts`) and ci/soak-self.yaml
// (`make soak-self`). The Go code here is only its tests: actionlint on the
// GitHub workflows, a structural check of the GitLab file and of the
// matrices.
package ci
