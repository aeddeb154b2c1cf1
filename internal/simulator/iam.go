package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// IAM as the credential chain uses it, on the simulator's own listener: temporary keys for an
// agency (assume_role) and for an OIDC identity token, exchanged for a subject token first.

// Agency lets the keys of TrustedDomainID's account act in the account that owns it: assuming it
// issues a temporary key there.
type Agency struct {
	Name string `json:"name"`
	// DomainID and DomainName are the owning account; a caller names it by either.
	DomainID   string `json:"domain_id"`
	DomainName string `json:"domain_name"`
	// TrustedDomainID is the account whose keys may assume the agency.
	TrustedDomainID string `json:"trusted_domain_id"`
}

// IdentityProvider is an OIDC identity provider of DomainID's account: an identity token it
// accepts is exchanged for a subject token, and that for a temporary key in the account.
type IdentityProvider struct {
	ID       string `json:"id"`
	DomainID string `json:"domain_id"`
	// IDTokens are the identity tokens it accepts, in place of OIDC's signature and claim checks.
	IDTokens []string `json:"id_tokens"`
}

// subjectToken is what IAM remembers of a subject token it issued.
type subjectToken struct {
	domainID  string
	expiresAt time.Time
}

const (
	// subjectTokenLifetime is how long IAM's tokens live.
	subjectTokenLifetime = 24 * time.Hour
	// IAM's bounds on duration_seconds: 15 minutes to 24 hours.
	minDurationSeconds = 900
	maxDurationSeconds = 86400
)

// IAM's error codes (from its API reference) that the simulator answers with, and their messages.
const (
	iamUnauthenticated      = "IAM.0001" // 401 The request you have made requires authentication.
	iamNotAuthorized        = "IAM.0002" // 403 You are not authorized to perform the requested action.
	iamPolicyDenied         = "IAM.0003" // 403 Policy doesn't allow %(actions)s to be performed.
	iamNotFound             = "IAM.0004" // 404 Could not find %(target)s: %(target_id)s.
	iamInternal             = "IAM.0006" // 500 An unexpected error prevented the server from fulfilling your request.
	iamInvalidParameter     = "IAM.0007" // 400 Request parameter %(key)s is invalid.
	iamInvalidBody          = "IAM.0011" // 400 Request body is invalid.
	iamThrottled            = "IAM.0012" // 429 The throttling threshold has been reached.
	iamTokenExpired         = "IAM.0066" // 401 The token has expired.
	iamInvalidToken         = "IAM.0067" //nolint:gosec // G101: an error code, not a credential. 401 Invalid token.
	iamRequiredProperty     = "IAM.0072" // 400 '%(key)s' is a required property.
	iamInvalidField         = "IAM.0073" // 400 Invalid input for field '%(key)s'. The value is '%(value)s'.
	iamSecurityTokenExpired = "IAM.1108" // 400 The securitytoken has expired.
)

// iamDialect is IAM's: {"error": {"code", "message", "title"}}.
var iamDialect = dialect{throttled: iamThrottled, clientFault: iamInvalidBody, serverFault: iamInternal, write: writeIAMError}

func writeIAMError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, credentials.ErrorResponse{Error: &credentials.ErrorDetail{Code: e.code, Message: e.message(), Title: http.StatusText(e.status)}})
}

func iamError(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, msg: msg}
}

// iam words a refusal as IAM does.
func (f *refusal) iam() *apiError {
	switch f.reason {
	case tokenExpired:
		return iamError(http.StatusBadRequest, iamSecurityTokenExpired, "The securitytoken has expired.")
	case otherDomain:
		return iamError(http.StatusForbidden, iamNotAuthorized, "You are not authorized to perform the requested action: "+f.msg)
	default:
		return iamError(http.StatusUnauthorized, iamUnauthenticated, "The request you have made requires authentication: "+f.msg)
	}
}

// DeclareAgency adds an agency, or replaces the one of the same name in the same account.
func (s *Simulator) DeclareAgency(a Agency) error {
	if a.Name == "" || a.DomainID == "" || a.DomainName == "" || a.TrustedDomainID == "" {
		return errors.New("an agency needs name, domain_id, domain_name and trusted_domain_id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// An account has one name, so that a caller naming it by domain_name finds one account.
	for _, other := range s.agencies {
		replaced := other.DomainID == a.DomainID && other.Name == a.Name
		if !replaced && (other.DomainID == a.DomainID) != (other.DomainName == a.DomainName) {
			return fmt.Errorf("agency %s names domain %s %q, but agency %s names domain %s %q",
				a.Name, a.DomainID, a.DomainName, other.Name, other.DomainID, other.DomainName)
		}
	}
	if i := slices.IndexFunc(s.agencies, func(o Agency) bool { return o.DomainID == a.DomainID && o.Name == a.Name }); i >= 0 {
		s.agencies[i] = a
	} else {
		s.agencies = append(s.agencies, a)
	}
	return nil
}

// DeclareIdentityProvider adds an identity provider, or replaces the one with the same ID.
func (s *Simulator) DeclareIdentityProvider(p IdentityProvider) error {
	if p.ID == "" || p.DomainID == "" || len(p.IDTokens) == 0 || slices.Contains(p.IDTokens, "") {
		return errors.New("an identity provider needs id, domain_id and id_tokens, none of them empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.IDTokens = slices.Clone(p.IDTokens)
	s.idps[p.ID] = p
	return nil
}

// SubjectTokens lists the subject tokens IAM issued for identity tokens, for tests that look for
// them where they must not be (logs, errors, the state).
func (s *Simulator) SubjectTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.subjects))
}

func (s *Simulator) routeIAM() {
	s.mux.HandleFunc("POST "+credentials.SecurityTokensPath, s.serve(iamDialect, s.securityTokens))
	s.mux.HandleFunc("POST "+credentials.IDTokenPath, s.serve(iamDialect, s.exchangeIDToken))
}

func invalidIAMBody(why string) *apiError {
	return iamError(http.StatusBadRequest, iamInvalidBody, "Request body is invalid: "+why)
}

// securityTokens issues a temporary key for an agency (signed) or for a subject token (unsigned).
func (s *Simulator) securityTokens(c *call) (int, any) {
	var req credentials.SecurityTokenRequest
	if err := decodeStrict(bytes.NewReader(c.body), &req); err != nil {
		return invalidIAMBody(err.Error()).answer()
	}
	switch id := req.Auth.Identity; {
	case slices.Equal(id.Methods, []string{credentials.MethodAssumeRole}) && id.AssumeRole != nil && id.Token == nil:
		return s.assumeRole(c, *id.AssumeRole)
	case slices.Equal(id.Methods, []string{credentials.MethodToken}) && id.AssumeRole == nil:
		return s.redeemSubjectToken(c, id.Token)
	}
	return invalidIAMBody(`auth.identity needs methods ["assume_role"] with assume_role, or ["token"] without it`).answer()
}

func (s *Simulator) assumeRole(c *call, req credentials.AssumeRole) (int, any) {
	caller, refused := s.authenticate(c.r, c.body)
	if refused != nil {
		return refused.iam().answer()
	}
	lifetime, invalid := requestedLifetime("assume_role.duration_seconds", req.DurationSeconds)
	switch {
	case req.AgencyName == "":
		return iamError(http.StatusBadRequest, iamRequiredProperty, "'assume_role.agency_name' is a required property.").answer()
	case req.DomainID == "" && req.DomainName == "":
		return iamError(http.StatusBadRequest, iamRequiredProperty, "'assume_role.domain_id' or 'assume_role.domain_name' is a required property.").answer()
	case invalid != nil:
		return invalid.answer()
	}
	i := slices.IndexFunc(s.agencies, func(a Agency) bool {
		return a.Name == req.AgencyName && (req.DomainID == "" || req.DomainID == a.DomainID) && (req.DomainName == "" || req.DomainName == a.DomainName)
	})
	if i < 0 {
		return iamError(http.StatusNotFound, iamNotFound, "Could not find agency: "+req.AgencyName+".").answer()
	}
	agency := s.agencies[i]
	if caller.DomainID == "" || caller.DomainID != agency.TrustedDomainID {
		return iamError(http.StatusForbidden, iamPolicyDenied, "Policy doesn't allow iam:agencies:assume to be performed.").answer()
	}
	return http.StatusCreated, s.issue(agency.DomainID, credentials.MethodAssumeRole, lifetime).response()
}

// redeemSubjectToken issues a temporary key for the subject token in X-Auth-Token or in token.id
// (body may be nil then), as IAM takes either; when both are given they must be the same token.
func (s *Simulator) redeemSubjectToken(c *call, body *credentials.Token) (int, any) {
	var req credentials.Token
	if body != nil {
		req = *body
	}
	switch header := c.r.Header.Get(credentials.HeaderAuthToken); {
	case header != "" && req.ID != "" && header != req.ID:
		return iamError(http.StatusBadRequest, iamInvalidParameter, "Request parameter "+credentials.HeaderAuthToken+" is invalid.").answer()
	case req.ID == "":
		req.ID = header
	}
	if req.ID == "" {
		return iamError(http.StatusBadRequest, iamRequiredProperty, "'token.id' is a required property.").answer()
	}
	lifetime, invalid := requestedLifetime("token.duration_seconds", req.DurationSeconds)
	if invalid != nil {
		return invalid.answer()
	}
	subject, ok := s.subjects[req.ID]
	switch {
	case !ok:
		return iamError(http.StatusUnauthorized, iamInvalidToken, "Invalid token.").answer()
	case !s.now().Before(subject.expiresAt):
		return iamError(http.StatusUnauthorized, iamTokenExpired, "The token has expired.").answer()
	}
	return http.StatusCreated, s.issue(subject.domainID, credentials.MethodToken, lifetime).response()
}

// requestedLifetime checks a duration_seconds against IAM's bounds; zero asks for IAM's default.
func requestedLifetime(field string, seconds int) (time.Duration, *apiError) {
	switch {
	case seconds == 0:
		return defaultIssuedLifetime, nil
	case seconds < minDurationSeconds || seconds > maxDurationSeconds:
		return 0, iamError(http.StatusBadRequest, iamInvalidField, fmt.Sprintf("Invalid input for field '%s'. The value is '%d'.", field, seconds))
	}
	return time.Duration(seconds) * time.Second, nil
}

// exchangeIDToken gives a subject token for an identity token that the named provider accepts.
func (s *Simulator) exchangeIDToken(c *call) (int, any) {
	idp, ok := s.idps[c.r.Header.Get(credentials.HeaderIdpID)]
	if !ok {
		return iamError(http.StatusBadRequest, iamInvalidParameter, "Request parameter "+credentials.HeaderIdpID+" is invalid.").answer()
	}
	var req credentials.IDTokenRequest
	if err := decodeStrict(bytes.NewReader(c.body), &req); err != nil {
		return invalidIAMBody(err.Error()).answer()
	}
	switch {
	case req.Auth.IDToken.ID == "":
		return iamError(http.StatusBadRequest, iamRequiredProperty, "'auth.id_token.id' is a required property.").answer()
	case !slices.Contains(idp.IDTokens, req.Auth.IDToken.ID):
		return iamError(http.StatusUnauthorized, iamUnauthenticated, "The request you have made requires authentication: identity provider "+idp.ID+" does not accept the ID token.").answer()
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	token := s.random(tokenChars, 160)
	s.subjects[token] = subjectToken{domainID: idp.DomainID, expiresAt: now.Add(subjectTokenLifetime)}
	c.header.Set(credentials.HeaderSubjectToken, token)
	// A federated user's token is "mapped" from the provider's claims.
	return http.StatusCreated, credentials.IDTokenResponse{Token: credentials.SubjectToken{
		ExpiresAt: now.Add(subjectTokenLifetime), Methods: []string{"mapped"}, IssuedAt: now,
	}}
}
