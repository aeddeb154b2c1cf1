package simulator

// The API gateway's answers that only the simulator gives: a client tells them apart by status
// (internal/coc/CONTRACT.md, "The API gateway"), and tests name them to inject or expect them.
const (
	// CodeStaleDate is APIG.0201, the gateway's request error; the contract pins its 401 to a
	// missing or stale X-Sdk-Date.
	CodeStaleDate      = "APIG.0201"
	CodeDomainMismatch = "APIG.0303"
	CodeThrottled      = "APIG.0308"
)

// The API gateway's words for an API it does not publish: an unknown path, or a known path
// with a method it does not serve.
const (
	MessageNotPublished = "The API does not exist or has not been published in the environment."
	MessageNoSuchMethod = "The API does not exist."
)

// SecurityTokenExpired is in the message of the 401 hwhttp.CodeBadSignature that refuses a
// temporary credential past its expiry, as the contract words it. Clients renew on any such 401
// whose message says "expire" (hwhttp.TokenExpired), which the real gateway's "token expires"
// says too.
const SecurityTokenExpired = "the security token has expired"
