package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// OIDC exchanges an identity token that an OIDC identity provider issued (a CI system, HCP
// Terraform) for temporary credentials of the federated user: first for an IAM subject token,
// then for credentials. An Agency on top assumes an agency with them.
type OIDC struct {
	IAM   *IAM
	IdpID string
	// IDToken is the identity token; when it is empty, IDTokenFile names the file it is read
	// from on every call, as CI runners rotate it.
	IDToken     string
	IDTokenFile string
	// Duration is the credentials' lifetime in seconds; 0 leaves it to IAM.
	Duration int
}

func (o *OIDC) Retrieve(ctx context.Context) (hwhttp.Credentials, error) {
	token, err := o.idToken()
	if err != nil {
		return hwhttp.Credentials{}, &Error{Source: o.String(), Err: err,
			Fix: "Check id_token_file (HW_ASSUME_ROLE_ID_TOKEN_FILE): the CI system writes the identity token there before terraform runs"}
	}
	o.IAM.opts.Secrets.Add(token)
	subject, err := o.IAM.subjectToken(ctx, o.IdpID, token)
	if err != nil {
		refused := fmt.Sprintf("Check that the identity token is current and issued for identity provider %q: its issuer and "+
			"audience must match the provider's settings in IAM, and its claims the provider's identity conversion rules", o.IdpID)
		return hwhttp.Credentials{}, &Error{Source: o.String(), Err: err,
			Fix: o.IAM.fix(err, refused, "Check idp_id (HW_ASSUME_ROLE_IDP_ID) and the identity token (id_token or id_token_file)")}
	}
	o.IAM.opts.Secrets.Add(subject)
	v, err := o.IAM.tokenCredentials(ctx, subject, o.Duration)
	if err != nil {
		refused := fmt.Sprintf("Check that the identity conversion rules of identity provider %q map the token to a user group", o.IdpID)
		return hwhttp.Credentials{}, &Error{Source: o.String(), Err: err, Fix: o.IAM.fix(err, refused, "Check assume_role_with_oidc's duration (HW_ASSUME_ROLE_DURATION)")}
	}
	return v, nil
}

func (o *OIDC) String() string {
	return fmt.Sprintf("the identity token of assume_role_with_oidc, exchanged with identity provider %q", o.IdpID)
}

func (o *OIDC) idToken() (string, error) {
	if o.IDTokenFile == "" {
		return o.IDToken, nil
	}
	data, err := os.ReadFile(o.IDTokenFile)
	if err != nil {
		return "", fmt.Errorf("reading the identity token: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", errors.New("the identity token file " + o.IDTokenFile + " is empty")
	}
	return token, nil
}
