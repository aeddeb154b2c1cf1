package credentials_test

import (
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// The principal names the source as configured, never the temporary keys it issues, so that the
// next run, with new keys, is the same principal.
func TestPrincipalNamesTheSourceNotItsKeys(t *testing.T) {
	f := newFakeIAM(t)
	profiles := writeFile(t, "config.json", koocliConfig)
	role := &credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "target-domain"}
	cases := []struct {
		name string
		cfg  credentials.Config
		want string
	}{
		{"a key pair", credentials.Config{AccessKey: "AKCONF", SecretKey: "SK-conf"}, "access key AKCONF"},
		{"a profile", credentials.Config{Profile: "dev", SharedConfigFile: profiles}, "access key AKDEV"},
		{"an agency, whatever assumes it", credentials.Config{AccessKey: "AKCONF", SecretKey: "SK-conf", AssumeRole: role}, "agency coc-operator of account target-domain"},
		{"an agency over the metadata service", credentials.Config{AssumeRole: role}, "agency coc-operator of account target-domain"},
		{"an agency named by its account's name", credentials.Config{AccessKey: "AKCONF", SecretKey: "SK-conf",
			AssumeRole: &credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "target"}}, "agency coc-operator of account target"},
		{"OIDC", credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "ci-idp", IDToken: "id.token"}}, "OIDC identity provider ci-idp"},
		{"OIDC with an agency", credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "ci-idp", IDToken: "id.token", AgencyName: "coc-operator", DomainID: "target-domain"}},
			"agency coc-operator of account target-domain"},
		{"the metadata service", credentials.Config{}, "the ECS metadata service"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.IAMEndpoint, tc.cfg.MetadataEndpoint, tc.cfg.Options = f.url, f.url, fastOptions()
			chain, err := credentials.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := chain.Principal(); got != tc.want {
				t.Fatalf("principal %q, want %q", got, tc.want)
			}
		})
	}
}
