package provider

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
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
		{name: "an OIDC agency without its account", env: map[string]string{envIdpID: "ci", envIDToken: "id.token", envAssumeRoleAgency: "a"}, invalid: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, name := range envVariables {
				t.Setenv(name, c.env[name])
			}
			var diags diag.Diagnostics
			fromProvider := settings{diags: &diags}.credentials(providerModel{}).Config

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

// The provider hands credentials.Resolve every credential and connection argument of its block
// under the argument's own name, an argument set to "" as set, and a nested block's presence.
func TestSettings_TheBlockReachesTheDecisionAsWritten(t *testing.T) {
	str := types.StringValue
	cfg := providerModel{
		Region: str("cn-north-4"), DomainID: str(""), AccessKey: str("AK"), SecretKey: str("SK"), SecurityToken: str(""),
		SharedConfigFile: str("/f"), Profile: str("p"), IAMEndpoint: str("https://iam.example"), Endpoint: str("https://coc.example"),
		AssumeRole: &assumeRoleModel{AgencyName: str("a"), DomainName: str("dn"), DomainID: types.StringNull(), Duration: types.Int64Value(900)},
		AssumeRoleWithOIDC: &oidcModel{IdpID: str("idp"), IDToken: str("t"), IDTokenFile: types.StringNull(), AgencyName: str("oa"),
			DomainID: str("od"), Duration: types.Int64Value(3600)},
	}
	var diags diag.Diagnostics
	block, known := settings{diags: &diags}.block(cfg)
	want := credentials.Block{
		credentials.ArgEndpoint: "https://coc.example", credentials.ArgRegion: "cn-north-4", credentials.ArgDomainID: "", credentials.ArgAccessKey: "AK", credentials.ArgSecretKey: "SK",
		credentials.ArgSecurityToken: "", credentials.ArgSharedConfigFile: "/f", credentials.ArgProfile: "p",
		credentials.ArgIAMEndpoint: "https://iam.example", credentials.ArgAssumeRole: "", credentials.ArgAssumeRoleAgency: "a",
		credentials.ArgAssumeRoleDomainName: "dn", credentials.ArgAssumeRoleDuration: "900", credentials.ArgOIDC: "",
		credentials.ArgOIDCIdpID: "idp", credentials.ArgOIDCIDToken: "t", credentials.ArgOIDCAgency: "oa", credentials.ArgOIDCDomainID: "od",
		credentials.ArgOIDCDuration: "3600",
	}
	if !known || diags.HasError() || !reflect.DeepEqual(block, want) {
		t.Fatalf("block %v (known %v, %v), want %v", block, known, diags, want)
	}

	// Every argument the decision knows is one of the schema's, at the path its name says.
	var schema provider.SchemaResponse
	(&cocProvider{}).Schema(t.Context(), provider.SchemaRequest{}, &schema)
	for _, a := range append(slices.Collect(maps.Keys(want)), credentials.ArgAssumeRoleDomainID, credentials.ArgOIDCIDTokenFile) {
		if _, d := schema.Schema.TypeAtPath(t.Context(), argPath(a)); d.HasError() {
			t.Errorf("%s is not a path of the provider's schema: %v", a, d)
		}
	}

	// An argument not known until apply is reported on its path, naming its variable.
	cfg.AssumeRole.AgencyName = types.StringUnknown()
	diags = nil
	if _, known := (settings{diags: &diags}).block(cfg); known || !diags.HasError() ||
		!diags.Contains(diag.NewAttributeErrorDiagnostic(path.Root("assume_role").AtName("agency_name"), "Unknown Provider Argument",
			"The provider's assume_role.agency_name is not known until apply, but the provider must be configured to plan. Set it to a "+
				"value known at plan time, or use the HW_ASSUME_ROLE_AGENCY_NAME environment variable.")) {
		t.Fatalf("an unknown agency_name: known %v, %v", known, diags)
	}
}
