package hwhttp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SigningAlgorithm is the Huawei Cloud API Gateway AK/SK scheme every COC request uses.
const SigningAlgorithm = "SDK-HMAC-SHA256"

// Header names of the signing scheme.
const (
	HeaderDate          = "X-Sdk-Date"
	HeaderAuthorization = "Authorization"
	HeaderSecurityToken = "X-Security-Token"
	HeaderDomainID      = "X-Domain-Id"
	HeaderRequestID     = "X-Request-Id"
)

// DateFormat is the layout of X-Sdk-Date.
const DateFormat = "20060102T150405Z"

// Signer signs requests with SDK-HMAC-SHA256.
type Signer struct {
	Credentials Credentials
	// Now is overridable so tests can pin the date.
	Now func() time.Time
}

// Sign adds X-Sdk-Date, Host, X-Security-Token (for temporary credentials) and Authorization to
// req. Every header present at that point is signed, so callers set the headers they want covered
// (for example X-Domain-Id) before calling Sign.
func (s Signer) Sign(req *http.Request, body []byte) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	req.Header.Set(HeaderDate, now().UTC().Format(DateFormat))
	if s.Credentials.SecurityToken != "" {
		req.Header.Set(HeaderSecurityToken, s.Credentials.SecurityToken)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	req.Header.Set("Host", host)
	req.Header.Del(HeaderAuthorization)

	signed := SignedHeaderNames(req.Header)
	signature := Signature(s.Credentials.SecretKey, req.Header.Get(HeaderDate),
		CanonicalRequest(req.Method, req.URL, req.Header, signed, body))
	req.Header.Set(HeaderAuthorization, AuthorizationValue(s.Credentials.AccessKey, signed, signature))
}

// AuthorizationValue formats the Authorization header.
func AuthorizationValue(accessKey string, signedHeaders []string, signature string) string {
	return SigningAlgorithm + " Access=" + accessKey + ", SignedHeaders=" + strings.Join(signedHeaders, ";") + ", Signature=" + signature
}

// SignedHeaderNames returns the lowercase, sorted names of all headers in h.
func SignedHeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for name := range h {
		lower := strings.ToLower(name)
		if lower == "authorization" || lower == "content-length" {
			continue
		}
		names = append(names, lower)
	}
	slices.Sort(names)
	return names
}

// CanonicalRequest builds the canonical request of the scheme: method, canonical URI, canonical
// query, canonical headers, signed header names and the hex SHA-256 of the body, joined by "\n".
func CanonicalRequest(method string, u *url.URL, h http.Header, signedHeaders []string, body []byte) string {
	var b strings.Builder
	b.Grow(256 + len(u.Path) + len(u.RawQuery))
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(CanonicalURI(u))
	b.WriteByte('\n')
	if u.RawQuery != "" {
		b.WriteString(CanonicalQuery(u.Query()))
	}
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(h, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	bodyHash := hexSHA256(body)
	b.Write(bodyHash[:])
	return b.String()
}

// hexSHA256 is the lowercase hex SHA-256 of data, the form the scheme writes every hash in.
func hexSHA256(data []byte) [2 * sha256.Size]byte {
	sum := sha256.Sum256(data)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return out
}

// canonicalHeaderValue looks the header up case-insensitively: the Host header may be stored under
// a non-canonical key by callers that set it directly on the map.
func canonicalHeaderValue(h http.Header, lowerName string) string {
	for name, values := range h {
		if strings.EqualFold(name, lowerName) && len(values) > 0 {
			return strings.TrimSpace(values[0])
		}
	}
	return ""
}

// CanonicalURI percent-encodes each path segment and always ends with "/".
func CanonicalURI(u *url.URL) string {
	path := u.EscapedPath()
	if unescaped, err := url.PathUnescape(path); err == nil {
		path = unescaped
	}
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		segments[i] = Escape(seg)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// CanonicalQuery sorts the query by key, then value, and percent-encodes both.
func CanonicalQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		values := slices.Clone(q[k])
		slices.Sort(values)
		for _, v := range values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(Escape(k))
			b.WriteByte('=')
			b.WriteString(Escape(v))
		}
	}
	return b.String()
}

// Escape percent-encodes everything but A-Za-z0-9-_.~ (so a space becomes %20).
func Escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	out := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			out = append(out, c)
			continue
		}
		out = append(out, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return string(out)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// Signature is hex HMAC-SHA256(secretKey, string to sign).
func Signature(secretKey, sdkDate, canonicalRequest string) string {
	canonicalHash := hexSHA256([]byte(canonicalRequest))
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(SigningAlgorithm + "\n" + sdkDate + "\n"))
	mac.Write(canonicalHash[:])
	return hex.EncodeToString(mac.Sum(nil))
}
