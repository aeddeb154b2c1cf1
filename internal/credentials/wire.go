// Package credentials resolves the access key pair that signs COC requests from the sources the
// huaweicloud provider reads (configuration, environment, KooCLI profiles, ECS metadata, IAM
// agencies and OIDC identity tokens) and renews temporary ones before they expire. It knows
// HTTP and IAM, and nothing about Terraform.
package credentials

import "time"

// The IAM and metadata calls the chain makes. The simulator serves the same paths with the same
// types, and the golden files in testdata/golden pin the bytes both sides exchange.
//
//nolint:gosec // G101: paths and header names, not credentials.
const (
	// SecurityTokensPath issues temporary credentials: for an agency (method assume_role, signed
	// with the caller's key pair) or for a federated token (method token, unsigned).
	SecurityTokensPath = "/v3.0/OS-CREDENTIAL/securitytokens"
	// IDTokenPath exchanges an OIDC identity token for an IAM subject token (unsigned).
	IDTokenPath = "/v3.0/OS-AUTH/id-token/tokens"
	// MetadataSecurityKeyPath is where an ECS or CCE node's agency credentials are served.
	MetadataSecurityKeyPath = "/openstack/latest/securitykey"

	// HeaderIdpID names the identity provider an identity token is exchanged with.
	HeaderIdpID = "X-Idp-Id"
	// HeaderSubjectToken carries the subject token IDTokenPath issues.
	HeaderSubjectToken = "X-Subject-Token"
	// HeaderAuthToken carries the subject token to SecurityTokensPath (method token), besides
	// the body's token.id: see IAM.tokenCredentials.
	HeaderAuthToken = "X-Auth-Token"

	MethodAssumeRole = "assume_role"
	MethodToken      = "token"
)

// SecurityTokenRequest is the body of POST SecurityTokensPath.
type SecurityTokenRequest struct {
	Auth SecurityTokenAuth `json:"auth"`
}

// SecurityTokenAuth wraps the identity of a SecurityTokenRequest.
type SecurityTokenAuth struct {
	Identity Identity `json:"identity"`
}

// Identity says how the caller proves who it is: Methods is ["assume_role"] with AssumeRole set,
// or ["token"] with Token set.
type Identity struct {
	Methods    []string    `json:"methods"`
	AssumeRole *AssumeRole `json:"assume_role,omitempty"`
	Token      *Token      `json:"token,omitempty"`
}

// AssumeRole names the agency to assume: its name and the account (domain) that owns it, by
// name or by ID.
type AssumeRole struct {
	AgencyName      string `json:"agency_name"`
	DomainName      string `json:"domain_name,omitempty"`
	DomainID        string `json:"domain_id,omitempty"`
	DurationSeconds int    `json:"duration_seconds,omitempty"`
}

// Token is a subject token to exchange for temporary credentials.
type Token struct {
	ID              string `json:"id"`
	DurationSeconds int    `json:"duration_seconds,omitempty"`
}

// IDTokenRequest is the body of POST IDTokenPath.
type IDTokenRequest struct {
	Auth IDTokenAuth `json:"auth"`
}

// IDTokenAuth wraps the identity token of an IDTokenRequest.
type IDTokenAuth struct {
	IDToken IDToken `json:"id_token"`
}

// IDToken is an OIDC identity token (a JWT), as the CI system or HCP Terraform issued it.
type IDToken struct {
	ID string `json:"id"`
}

// IDTokenResponse is the body of IDTokenPath's 201; the subject token itself is in the
// HeaderSubjectToken header.
type IDTokenResponse struct {
	Token SubjectToken `json:"token"`
}

// SubjectToken describes the subject token IDTokenPath issued. IAM sends more (the federated
// user, its groups); the chain needs none of it.
type SubjectToken struct {
	ExpiresAt time.Time `json:"expires_at"`
	// Methods is ["mapped"] for a federated user.
	Methods  []string  `json:"methods"`
	IssuedAt time.Time `json:"issued_at"`
}

// CredentialResponse is the answer of SecurityTokensPath (201) and MetadataSecurityKeyPath (200).
type CredentialResponse struct {
	Credential Credential `json:"credential"`
}

// Credential is a temporary key pair as IAM and the metadata service return it.
type Credential struct {
	Access        string    `json:"access"`
	Secret        string    `json:"secret"`
	SecurityToken string    `json:"securitytoken"`
	ExpiresAt     time.Time `json:"expires_at"`
}

// ErrorResponse is IAM's own error answer ({"error": {...}}). The API gateway in front of it
// answers in its own shape ({"error_code", "error_msg"}), which the client decodes with every
// answer (hwhttp.Answer); the decoder reads whichever is present.
type ErrorResponse struct {
	Error *ErrorDetail `json:"error,omitempty"`
}

// ErrorDetail is IAM's own error object.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Title   string `json:"title,omitempty"`
}
