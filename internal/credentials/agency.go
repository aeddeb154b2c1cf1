package credentials

import (
	"context"
	"fmt"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Agency obtains temporary credentials of an IAM agency (assume_role), signing the request with
// the credentials Base provides: a key pair, a profile's, the metadata service's, or those of an
// OIDC identity token.
type Agency struct {
	IAM  *IAM
	Base hwhttp.CredentialsProvider
	Role AssumeRole
	// Settings names what configured the agency, for errors: the arguments and variables, or
	// the profile's fields.
	Settings string
}

func (a *Agency) Retrieve(ctx context.Context) (hwhttp.Credentials, error) {
	base, err := a.Base.Retrieve(ctx)
	if err != nil {
		return hwhttp.Credentials{}, err // it names its own source
	}
	a.IAM.opts.Secrets.Add(base.SecretKey, base.SecurityToken)
	v, err := a.IAM.assumeRole(ctx, base, a.Role)
	if err != nil {
		refused := fmt.Sprintf("Check that the credentials of %s are valid and allowed to assume agencies (the Agent Operator role), "+
			"and that agency %q trusts their account", describe(a.Base), a.Role.AgencyName)
		return hwhttp.Credentials{}, &Error{Source: a.String(), Err: err, Fix: a.IAM.fix(err, refused, "Check "+a.Settings)}
	}
	return v, nil
}

func (a *Agency) String() string {
	account := fmt.Sprintf("account %q", a.Role.DomainName)
	if a.Role.DomainID != "" {
		account = "account " + a.Role.DomainID
	}
	return fmt.Sprintf("agency %q of %s, assumed with %s", a.Role.AgencyName, account, describe(a.Base))
}
