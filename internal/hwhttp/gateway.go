package hwhttp

import (
	"mime"
	"net/http"
	"strings"
)

// Codes the API gateway in front of every Huawei Cloud API answers with itself, before the
// service sees the call (see internal/coc/CONTRACT.md, "The API gateway").
const (
	// CodeNotPublished: the gateway publishes no API at that path, or not for that method.
	CodeNotPublished = "APIG.0101"
	// CodeNoBackend: the gateway has no backend for the API; another attempt will not find one.
	CodeNoBackend     = "APIG.0103"
	CodeOrchestration = "APIG.0106"
	// CodeStaleDate is APIG.0201, the gateway's request error; the contract pins its 401 to a
	// missing or stale X-Sdk-Date.
	CodeStaleDate      = "APIG.0201"
	CodeBadSignature   = "APIG.0301"
	CodeDomainMismatch = "APIG.0303"
	CodeThrottled      = "APIG.0308"
)

// The API gateway's words for an API it does not publish: an unknown path, or a known path
// with a method it does not serve.
const (
	MessageNotPublished = "The API does not exist or has not been published in the environment."
	MessageNoSuchMethod = "The API does not exist."
)

// IsGatewayCode reports whether a code is the API gateway's own (APIG.*) rather than COC's.
func IsGatewayCode(code string) bool { return strings.HasPrefix(code, "APIG.") }

// SecurityTokenExpired is in the message of the 401 CodeBadSignature that refuses a temporary
// credential past its expiry. It is the one 401 worth a renewal and a retry: any other counts
// towards the gateway's lock-out of the access key.
const SecurityTokenExpired = "the security token has expired"

// TokenExpired reports whether an answer refuses a temporary credential past its expiry (the
// gateway says "token expires", the contract "the security token has expired"): the one 401
// worth renewing the credential for. Any other 401 counts towards the gateway's lock-out of
// the access key (5 refused signatures in a row lock it for 5 minutes).
func TokenExpired(status int, code, message string) bool {
	return status == http.StatusUnauthorized && code == CodeBadSignature && strings.Contains(strings.ToLower(message), "expire")
}

// ContentType names an answer's content type, for errors.
func ContentType(h http.Header) string {
	if ct := h.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no content type"
}

// IsJSON reports whether an answer says it is JSON.
func IsJSON(h http.Header) bool {
	mediaType, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"))
}
