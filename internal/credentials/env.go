package credentials

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// The environment variables the provider and the conformance kit read, named as the huaweicloud
// provider names them so users can reuse theirs. They are declared here, once, so that both read
// the same names.
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

// MaxRetriesFromEnv reads HW_MAX_RETRIES: hwhttp.DefaultMaxRetries when it is unset, else a
// whole number from 0 to hwhttp.MaxRetriesLimit, as the provider's max_retries.
func MaxRetriesFromEnv(getenv func(string) string) (int, error) {
	raw := getenv(EnvMaxRetries)
	if raw == "" {
		return hwhttp.DefaultMaxRetries, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > hwhttp.MaxRetriesLimit {
		return 0, fmt.Errorf("%s is %q: not a whole number from 0 to %d", EnvMaxRetries, raw, hwhttp.MaxRetriesLimit)
	}
	return n, nil
}

// ConfigFromEnv is the Config the environment alone gives: what the provider reads with an empty
// provider block (internal/provider pins that the two agree). assume_role_with_oidc applies when
// HW_ASSUME_ROLE_IDP_ID is set, else assume_role when HW_ASSUME_ROLE_AGENCY_NAME is. The error
// names every variable that is unusable (half a key pair, stray whitespace, a bad duration),
// never its value; the checks that need IAM or a file are New's and the first Retrieve's.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	r := envReader{getenv: getenv}
	c := Config{
		Region:           r.oneLine(EnvRegion),
		DomainID:         r.oneLine(EnvDomainID),
		AccessKey:        r.oneLine(EnvAccessKey),
		SecretKey:        r.oneLine(EnvSecretKey),
		SecurityToken:    r.oneLine(EnvSecurityToken),
		SharedConfigFile: getenv(EnvSharedConfigFile),
		Profile:          getenv(EnvProfile),
		IAMEndpoint:      getenv(EnvIAMEndpoint),
		MetadataEndpoint: getenv(EnvMetadataEndpoint),
	}
	if (c.AccessKey == "") != (c.SecretKey == "") || (c.AccessKey == "" && c.SecurityToken != "") {
		r.problems = append(r.problems, fmt.Errorf("%s, %s and %s: set the key pair (with its security token, for a temporary key) or "+
			"none of them", EnvAccessKey, EnvSecretKey, EnvSecurityToken))
	}
	switch {
	case getenv(EnvIdpID) != "":
		c.OIDC = &OIDCConfig{
			IdpID: r.oneLine(EnvIdpID), AgencyName: r.oneLine(EnvAssumeRoleAgency), DomainID: r.oneLine(EnvAssumeRoleDomainID),
			Duration: r.duration(), IDToken: r.oneLine(EnvIDToken), IDTokenFile: r.oneLine(EnvIDTokenFile),
		}
		if c.OIDC.IDToken == "" && c.OIDC.IDTokenFile == "" {
			c.OIDC.IDToken = r.oneLine(EnvHCPWorkloadIdentityToken)
		}
	case getenv(EnvAssumeRoleAgency) != "":
		c.AssumeRole = &AssumeRole{
			AgencyName: r.oneLine(EnvAssumeRoleAgency), DomainName: r.oneLine(EnvAssumeRoleDomainName),
			DomainID: r.oneLine(EnvAssumeRoleDomainID), DurationSeconds: r.duration(),
		}
	}
	return c, errors.Join(r.problems...)
}

// envReader reads variables and collects what is wrong with them.
type envReader struct {
	getenv   func(string) string
	problems []error
}

// oneLine reads a value that must be one line (a key, a token, a name, an ID): a value read from
// a file often ends in a line break, which would sign with the wrong key.
func (r *envReader) oneLine(name string) string {
	v := r.getenv(name)
	if i := strings.IndexFunc(v, func(c rune) bool { return c <= ' ' || c > '~' }); i >= 0 {
		r.problems = append(r.problems, fmt.Errorf("%s has a space, a line break, a control character or a non-ASCII character "+
			"at byte %d (the value is not shown)", name, i+1))
	}
	return v
}

func (r *envReader) duration() int {
	raw := r.getenv(EnvAssumeRoleDuration)
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < MinDuration || n > MaxDuration {
		r.problems = append(r.problems, fmt.Errorf("%s is %q: not a number of seconds from %d to %d", EnvAssumeRoleDuration, raw, MinDuration, MaxDuration))
	}
	return n
}
