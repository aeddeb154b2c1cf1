package credentials

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// defaultTimeout bounds each IAM or metadata request.
const defaultTimeout = 30 * time.Second

// DefaultRegion is the region of a chain that neither its configuration nor a profile names.
const DefaultRegion = "cn-north-4"

// IAMEndpoint is the IAM endpoint of a region as the huaweicloud provider builds it:
// https://iam.{region}.myhuaweicloud.com, or myhuaweicloud.eu for the European regions.
func IAMEndpoint(region string) string {
	domain := "myhuaweicloud.com"
	if strings.HasPrefix(region, "eu-west-1") {
		domain = "myhuaweicloud.eu"
	}
	return "https://iam." + region + "." + domain
}

// IAM issues temporary credentials: for an agency, and for an OIDC identity token. Its calls
// are retried like idempotent ones (connection errors, throttling, server faults): issuing a
// credential twice does no harm.
type IAM struct {
	base     *url.URL
	http     *http.Client
	unsigned *retryablehttp.Client
	opts     Options
}

// NewIAM returns a client of the IAM at endpoint. It makes no network call.
func NewIAM(endpoint string, o Options) (*IAM, error) {
	base, err := hwhttp.ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	o = o.withDefaults()
	c := httpClient(o, pooledClient)
	return &IAM{base: base, http: c, unsigned: o.retrying("IAM", c, hwhttp.RetryIdempotent, nil), opts: o}, nil
}

// assumeRole obtains credentials of an agency. The request is signed with the caller's
// credentials, with X-Security-Token when they are temporary.
func (c *IAM) assumeRole(ctx context.Context, caller hwhttp.Credentials, role AssumeRole) (hwhttp.Credentials, error) {
	signing := &hwhttp.Signing{Credentials: caller, Now: c.opts.Now}
	identity := Identity{Methods: []string{MethodAssumeRole}, AssumeRole: &role}
	return c.issue(ctx, c.opts.retrying("IAM", c.http, hwhttp.RetryIdempotent, signing), identity, nil)
}

// subjectToken exchanges an OIDC identity token for an IAM subject token (unsigned).
func (c *IAM) subjectToken(ctx context.Context, idpID, idToken string) (string, error) {
	req, err := newRequest(ctx, c.opts, http.MethodPost, c.base, IDTokenPath, IDTokenRequest{Auth: IDTokenAuth{IDToken: IDToken{ID: idToken}}})
	if err != nil {
		return "", err
	}
	req.Header.Set(HeaderIdpID, idpID)
	header, err := send(c.unsigned, req, http.StatusCreated, c.opts.Secrets, nil)
	if err != nil {
		return "", err
	}
	token := header.Get(HeaderSubjectToken)
	if token == "" {
		return "", fmt.Errorf("POST %s: IAM's answer has no %s header", IDTokenPath, HeaderSubjectToken)
	}
	return token, nil
}

// tokenCredentials exchanges a subject token for temporary credentials (unsigned). The token goes
// in the body's token.id and in X-Auth-Token: IAM's reference for this call requires the header
// in one version (iam_04_0002) and takes either in another (iam_04_0003, a federated user's
// unscoped token), so both satisfy every IAM.
func (c *IAM) tokenCredentials(ctx context.Context, subjectToken string, duration int) (hwhttp.Credentials, error) {
	identity := Identity{Methods: []string{MethodToken}, Token: &Token{ID: subjectToken, DurationSeconds: duration}}
	return c.issue(ctx, c.unsigned, identity, http.Header{HeaderAuthToken: {subjectToken}})
}

// issue asks SecurityTokensPath for credentials, with the given headers besides the usual ones.
func (c *IAM) issue(ctx context.Context, client *retryablehttp.Client, identity Identity, header http.Header) (hwhttp.Credentials, error) {
	req, err := newRequest(ctx, c.opts, http.MethodPost, c.base, SecurityTokensPath, SecurityTokenRequest{Auth: SecurityTokenAuth{Identity: identity}})
	if err != nil {
		return hwhttp.Credentials{}, err
	}
	maps.Copy(req.Header, header)
	var answer CredentialResponse
	if _, err := send(client, req, http.StatusCreated, c.opts.Secrets, &answer); err != nil {
		return hwhttp.Credentials{}, err
	}
	return answer.value(), nil
}

// fix says what to do about a failed IAM call: refused is the advice when IAM refuses the
// caller (401, 403), rejected when it rejects the request (another 4xx).
func (c *IAM) fix(err error, refused, rejected string) string {
	var answer *ServiceError
	switch {
	case !errors.As(err, &answer) && hwhttp.TransportProblem(err) != "":
		return fmt.Sprintf("IAM at %s (from iam_endpoint or %s, else the region's) cannot work as set: %s. No retry can fix this, "+
			"so the provider made none", c.base, EnvIAMEndpoint, hwhttp.TransportProblem(err))
	case !errors.As(err, &answer):
		return fmt.Sprintf("Check that this machine reaches IAM at %s, or set iam_endpoint (%s) to an address it reaches", c.base, EnvIAMEndpoint)
	case answer.StatusCode == http.StatusUnauthorized || answer.StatusCode == http.StatusForbidden:
		return refused
	case answer.StatusCode == http.StatusTooManyRequests || answer.StatusCode >= 500:
		return "IAM kept failing after the provider's retries (max_retries): try again later"
	case answer.StatusCode >= 400:
		return rejected
	}
	return ""
}
