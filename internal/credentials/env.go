package credentials

import "errors"

// The environment variables the provider and the conformance kit read, named as the huaweicloud
// provider names them so users can reuse theirs. They are declared here, once, and read here,
// once, by Resolve: both read the same names the same way.
//
//nolint:gosec // G101: these are variable names, not credentials.
const (
	EnvRegion               = "HW_REGION_NAME"
	EnvAccessKey            = "HW_ACCESS_KEY"
	EnvSecretKey            = "HW_SECRET_KEY"
	EnvSecurityToken        = "HW_SECURITY_TOKEN"
	EnvDomainID             = "HW_DOMAIN_ID"
	EnvCOCEndpoint          = "HW_COC_ENDPOINT"
	EnvIAMEndpoint          = "HW_IAM_ENDPOINT"
	EnvMetadataEndpoint     = "HW_METADATA_ENDPOINT"
	EnvSharedConfigFile     = "HW_SHARED_CONFIG_FILE"
	EnvProfile              = "HW_PROFILE"
	EnvAssumeRoleAgency     = "HW_ASSUME_ROLE_AGENCY_NAME"
	EnvAssumeRoleDomainName = "HW_ASSUME_ROLE_DOMAIN_NAME"
	EnvAssumeRoleDomainID   = "HW_ASSUME_ROLE_DOMAIN_ID"
	EnvAssumeRoleDuration   = "HW_ASSUME_ROLE_DURATION"
	EnvIdpID                = "HW_ASSUME_ROLE_IDP_ID"
	EnvIDToken              = "HW_ASSUME_ROLE_ID_TOKEN"
	EnvIDTokenFile          = "HW_ASSUME_ROLE_ID_TOKEN_FILE"
	// EnvHCPWorkloadIdentityToken is where HCP Terraform puts a run's workload identity token
	// when the workspace sets TFC_WORKLOAD_IDENTITY_AUDIENCE.
	EnvHCPWorkloadIdentityToken = "TFC_WORKLOAD_IDENTITY_TOKEN"
	// EnvMaxRetries sets max_retries, the retries of the provider's clients (COC, IAM, the
	// metadata service, the platforms), not only of the credentials' calls.
	EnvMaxRetries = "HW_MAX_RETRIES"
)

// Bounds of HW_ASSUME_ROLE_DURATION, in seconds: IAM issues keys for 15 minutes to 24 hours.
const (
	MinDuration = 900
	MaxDuration = 86400
)

// ConfigFromEnv is the Config the environment alone gives: what the provider reads with an
// empty provider block, decided by Resolve. The error names every variable that is unusable
// (half a key pair, stray whitespace, a bad duration or retry count, an incomplete agency or OIDC
// exchange), never its value; the checks that need IAM or a file are New's and the first
// Retrieve's.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	res := Resolve(nil, getenv)
	errs := make([]error, len(res.Problems))
	for i, p := range res.Problems {
		errs[i] = p
	}
	return res.Config, errors.Join(errs...)
}
