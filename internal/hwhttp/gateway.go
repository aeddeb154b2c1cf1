package hwhttp

import (
	"mime"
	"net/http"
	"strings"
)

// Codes the API gateway in front of every Huawei Cloud API answers with itself, before the
// service sees the call (see internal/coc/CONTRACT.md, "The API gateway"), that a client or the
// conformance kit decides on. The simulator's answers name the others (internal/simulator,
// gateway.go); a client tells them apart by status.
const (
	// CodeNotPublished: the gateway publishes no API at that path, or not for that method.
	CodeNotPublished = "APIG.0101"
	// CodeNoBackend: the gateway has no backend for the API; another attempt will not find one.
	CodeNoBackend = "APIG.0103"
	// CodeOrchestration: the route's configuration is broken; the tests of the client's
	// classification meet it as CONTRACT.md lists it.
	CodeOrchestration = "APIG.0106"
	// CodeBadSignature refuses the signature, the key or the security token.
	CodeBadSignature = "APIG.0301"
)

// IsGatewayCode reports whether a code is the API gateway's own (APIG.*) rather than COC's.
func IsGatewayCode(code string) bool { return strings.HasPrefix(code, "APIG.") }

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
