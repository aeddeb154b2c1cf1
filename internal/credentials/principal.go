package credentials

import (
	"cmp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Principal names whom the chain's credentials act as, in words that stay the same from one run
// to the next while the keys themselves may not: the access key of a key pair, the agency or the
// OIDC identity provider that issues temporary keys, or the metadata service. It is no secret.
// COC derives nothing from it; the client uses it so that a create's idempotency key is this
// principal's alone.
func (c *Chain) Principal() string { return principalOf(c.provider) }

func principalOf(p hwhttp.CredentialsProvider) string {
	switch p := p.(type) {
	case Static:
		// A temporary key pair given as it is gets another access key when it is issued again.
		return "access key " + p.Credentials.AccessKey
	case *Agency:
		return "agency " + p.Role.AgencyName + " of account " + cmp.Or(p.Role.DomainID, p.Role.DomainName)
	case *OIDC:
		return "OIDC identity provider " + p.IdpID
	case lastResort:
		return "the ECS metadata service"
	}
	return describe(p)
}
