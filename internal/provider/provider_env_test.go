package provider

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// envVariables are every variable the provider's credentials come from.
var envVariables = []string{
	envRegion, envAccessKey, envSecretKey, envSecurityToken, envDomainID, envIAMEndpoint, envMetadataEndpoint,
	envSharedConfigFile, envProfile, envAssumeRoleAgency, envAssumeRoleDomainName, envAssumeRoleDomainID,
	envAssumeRoleDuration, envIdpID, envIDToken, envIDTokenFile, envHCPWorkloadIdentityToken,
}

// The conformance kit reads its credentials with credentials.ConfigFromEnv: with an empty
// provider block, the provider must read the very same configuration from the same variables,
// and refuse the same unusable values, so that the kit tests what the provider would do.
func TestConfigFromEnv_ReadsWhatTheProviderReadsWithAnEmptyBlock(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		invalid bool
	}{
		{name: "key pair", env: map[string]string{envRegion: "ap-southeast-3", envAccessKey: "AK1", envSecretKey: "SK1",
			envSecurityToken: "TOKEN1", envDomainID: "d1", envIAMEndpoint: "https://iam.example", envMetadataEndpoint: "http://169.254.0.1"}},
		{name: "profile", env: map[string]string{envSharedConfigFile: "/home/u/.hcloud/config.json", envProfile: "ops"}},
		{name: "oidc with an agency", env: map[string]string{envIdpID: "ci", envIDTokenFile: "/run/token", envAssumeRoleAgency: "coc-op",
			envAssumeRoleDomainID: "d2", envAssumeRoleDuration: "3600"}},
		{name: "oidc from HCP Terraform", env: map[string]string{envIdpID: "hcp", envHCPWorkloadIdentityToken: "hcp.token"}},
		{name: "assume role", env: map[string]string{envAccessKey: "AK2", envSecretKey: "SK2", envAssumeRoleAgency: "coc-op",
			envAssumeRoleDomainName: "ops-account", envAssumeRoleDuration: "900"}},
		{name: "half a key pair", env: map[string]string{envAccessKey: "AK3"}, invalid: true},
		{name: "a secret key with a line break", env: map[string]string{envAccessKey: "AK4", envSecretKey: "SK4\n"}, invalid: true},
		{name: "a duration out of range", env: map[string]string{envAssumeRoleAgency: "a", envAssumeRoleDomainID: "d", envAssumeRoleDuration: "60"}, invalid: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, name := range envVariables {
				t.Setenv(name, c.env[name])
			}
			var diags diag.Diagnostics
			s := settings{diags: &diags}
			fromProvider := s.credentials(providerModel{})
			fromProvider.Region = s.str(path.Root("region"), types.StringNull(), envRegion, true) // Configure reads it beside

			fromEnv, err := credentials.ConfigFromEnv(os.Getenv)
			if !reflect.DeepEqual(fromEnv, fromProvider) {
				t.Errorf("ConfigFromEnv:\n%s\nthe provider:\n%s", showConfig(fromEnv), showConfig(fromProvider))
			}
			if (err != nil) != c.invalid || diags.HasError() != c.invalid {
				t.Errorf("invalid = %v, but ConfigFromEnv says %v and the provider %v", c.invalid, err, diags)
			}
		})
	}
}

func showConfig(c credentials.Config) string {
	return fmt.Sprintf("%+v, OIDC %+v, AssumeRole %+v", c, c.OIDC, c.AssumeRole)
}
