package simulator

import (
	"crypto/hmac"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// signed verifies a contract API call and takes a token from the caller's rate limit before h
// answers it.
func (s *Simulator) signed(h handler) handler {
	return func(c *call) (int, any) {
		t, refused := s.authenticate(c.r, c.body)
		if refused != nil {
			return refused.coc().answer()
		}
		if e := s.throttle(t.account); e != nil {
			return e.answer()
		}
		c.account = t.account
		return h(c)
	}
}

// refusal is why a signed request failed verification; each service words it its own way.
type refusal struct {
	reason refusalReason
	msg    string
}

type refusalReason int

const (
	// badSignature also covers a missing signature, an unknown key and a missing security token.
	badSignature refusalReason = iota
	staleDate
	tokenExpired
	otherDomain
)

// coc words a refusal as COC's API gateway does.
func (f *refusal) coc() *apiError {
	status, code := http.StatusUnauthorized, hwhttp.CodeBadSignature
	switch f.reason {
	case staleDate:
		code = CodeStaleDate
	case otherDomain:
		status, code = http.StatusForbidden, CodeDomainMismatch
	}
	return &apiError{status: status, code: code, msg: f.msg}
}

// authenticate verifies an SDK-HMAC-SHA256 signature the way API Gateway does: any correct
// signer passes, whatever set of headers it chose to sign, as long as X-Sdk-Date is among them.
// COC and IAM share it. It must be called with s.mu held.
func (s *Simulator) authenticate(r *http.Request, body []byte) (*tenant, *refusal) {
	accessKey, signedHeaders, signature, ok := parseAuthorization(r.Header.Get(hwhttp.HeaderAuthorization))
	if !ok {
		return nil, &refusal{badSignature, "verify aksk signature fail: missing or malformed Authorization header"}
	}
	t, known := s.key(accessKey)
	if !known {
		return nil, &refusal{badSignature, "verify aksk signature fail: unknown access key"}
	}
	if !slices.Contains(signedHeaders, "x-sdk-date") {
		return nil, &refusal{badSignature, "verify aksk signature fail: x-sdk-date must be signed"}
	}
	date, err := time.Parse(hwhttp.DateFormat, r.Header.Get(hwhttp.HeaderDate))
	if err != nil {
		return nil, &refusal{staleDate, "X-Sdk-Date is missing or not in the format 20060102T150405Z"}
	}
	if skew := s.now().Sub(date); math.Abs(float64(skew)) > float64(MaxClockSkew) {
		return nil, &refusal{staleDate, "X-Sdk-Date is more than 15 minutes from the server time"}
	}
	headers := r.Header.Clone()
	headers.Set("Host", r.Host)
	want := hwhttp.Signature(t.SecretKey, r.Header.Get(hwhttp.HeaderDate), hwhttp.CanonicalRequest(r.Method, r.URL, headers, signedHeaders, body))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return nil, &refusal{badSignature, "verify aksk signature fail"}
	}
	if t.SecurityToken != "" && (r.Header.Get(hwhttp.HeaderSecurityToken) != t.SecurityToken || !slices.Contains(signedHeaders, "x-security-token")) {
		return nil, &refusal{badSignature, "verify aksk signature fail: a valid, signed X-Security-Token is required for this temporary access key"}
	}
	if !t.ExpiresAt.IsZero() && !s.now().Before(t.ExpiresAt) {
		return nil, &refusal{tokenExpired, "Incorrect IAM authentication information: " + SecurityTokenExpired + ", expires_at: " + t.ExpiresAt.UTC().Format(time.RFC3339)}
	}
	if domain := r.Header.Get(hwhttp.HeaderDomainID); domain != "" && domain != t.DomainID {
		return nil, &refusal{otherDomain, "the access key does not belong to the domain in X-Domain-Id"}
	}
	return t, nil
}

// accessKeyOf extracts the access key for the request log, whether or not the request verifies.
func accessKeyOf(r *http.Request) string {
	ak, _, _, _ := parseAuthorization(r.Header.Get(hwhttp.HeaderAuthorization))
	return ak
}

// parseAuthorization splits "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(v string) (accessKey string, signedHeaders []string, signature string, ok bool) {
	rest, found := strings.CutPrefix(v, hwhttp.SigningAlgorithm+" ")
	if !found {
		return "", nil, "", false
	}
	for part := range strings.SplitSeq(rest, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch key {
		case "Access":
			accessKey = value
		case "SignedHeaders":
			signedHeaders = strings.Split(value, ";")
		case "Signature":
			signature = value
		}
	}
	return accessKey, signedHeaders, signature, accessKey != "" && len(signedHeaders) > 0 && signature != ""
}
