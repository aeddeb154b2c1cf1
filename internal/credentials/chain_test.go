package credentials_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// The configuration picks one source, in the order, and an agency goes on top; building
// the chain reads a profile at most and calls nobody.
func TestChainPicksTheSourceInOrder(t *testing.T) {
	f := newFakeIAM(t)
	profiles := writeFile(t, "config.json", koocliConfig)
	oidc := &credentials.OIDCConfig{IdpID: "ci-idp", IDToken: "id.token"}
	keys := credentials.Config{AccessKey: "AKCONF", SecretKey: "SK-conf"}
	role := &credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "target-domain"}
	cases := []struct {
		name                   string
		cfg                    credentials.Config
		source, region, domain string
	}{
		{"OIDC before everything", credentials.Config{OIDC: oidc, AccessKey: "AKCONF", SecretKey: "SK-conf", Profile: "dev", SharedConfigFile: profiles, DomainID: "mine"},
			`exchanged with identity provider "ci-idp"`, "cn-north-4", "mine"},
		{"a key pair before a profile", credentials.Config{AccessKey: "AKCONF", SecretKey: "SK-conf", Profile: "dev", SharedConfigFile: profiles},
			"access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY)", "cn-north-4", ""},
		{"a key pair with a token", credentials.Config{AccessKey: "AKCONF", SecretKey: "SK-conf", SecurityToken: "TOKEN-conf"},
			"access_key, secret_key and security_token", "cn-north-4", ""},
		{"a profile fills in region and account", credentials.Config{Profile: "dev", SharedConfigFile: profiles},
			`KooCLI profile "dev" in ` + profiles, "ap-southeast-3", "domain-dev"},
		{"the configuration wins over the profile", credentials.Config{Profile: "dev", SharedConfigFile: profiles, Region: "eu-west-101", DomainID: "mine"},
			`KooCLI profile "dev"`, "eu-west-101", "mine"},
		{"the metadata service last", credentials.Config{DomainID: "mine"}, "the ECS metadata service at " + f.url, "cn-north-4", "mine"},
		{"an agency by ID acts in its account", credentials.Config{AccessKey: keys.AccessKey, SecretKey: keys.SecretKey, AssumeRole: role, DomainID: "mine"},
			`agency "coc-operator" of account target-domain, assumed with access_key and secret_key`, "cn-north-4", "target-domain"},
		// The configured account is the caller's, which COC would refuse for the agency's key.
		{"an agency by name sends no account", credentials.Config{AccessKey: "AKCONF", SecretKey: "SK-conf", DomainID: "mine",
			AssumeRole: &credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "target"}}, `agency "coc-operator" of account "target"`, "cn-north-4", ""},
		{"a profile's agency", credentials.Config{Profile: "ops", SharedConfigFile: profiles},
			`agency "coc-operator" of account "target", assumed with KooCLI profile "ops"`, "cn-north-4", ""},
		{"assume_role wins over the profile's agency", credentials.Config{Profile: "ops", SharedConfigFile: profiles, AssumeRole: role},
			`agency "coc-operator" of account target-domain, assumed with KooCLI profile "ops"`, "cn-north-4", "target-domain"},
		{"an agency over the metadata service", credentials.Config{AssumeRole: role}, "assumed with the ECS metadata service", "cn-north-4", "target-domain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.IAMEndpoint, tc.cfg.MetadataEndpoint, tc.cfg.Options = f.url, f.url, fastOptions()
			chain, err := credentials.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(chain.String(), tc.source) || chain.Region() != tc.region || chain.DomainID() != tc.domain {
				t.Fatalf("source %q, region %q, X-Domain-Id %q; want %q, %q, %q", chain, chain.Region(), chain.DomainID(), tc.source, tc.region, tc.domain)
			}
		})
	}
	if n := len(f.received()); n != 0 {
		t.Fatalf("building chains made %d calls (%s); it must make none", n, f.paths())
	}
}

// The first call resolves the credentials: here the metadata service's, signing the agency's.
func TestChainAssumesAnAgencyWithTheMetadataServicesCredentials(t *testing.T) {
	f := newFakeIAM(t)
	chain, err := credentials.New(credentials.Config{IAMEndpoint: f.url, MetadataEndpoint: f.url, Options: fastOptions(),
		AssumeRole: &credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "target"}})
	if err != nil {
		t.Fatal(err)
	}
	if creds := retrieve(t, chain); creds.AccessKey != "AKTEMP2" {
		t.Fatalf("credentials %s, want the agency's", creds.AccessKey)
	}
	got := f.received()
	if f.paths() != credentials.MetadataSecurityKeyPath+" "+credentials.SecurityTokensPath {
		t.Fatalf("requests %s", f.paths())
	}
	if ak := verifySignature(t, got[1], strings.TrimPrefix(f.url, "http://"), "SK-temporary-1"); ak != "AKTEMP1" {
		t.Fatalf("the agency request is signed by %s, want the metadata service's credentials", ak)
	}
}

// With nothing configured and no metadata service, the error lists every source it looked at
// and what sets each.
func TestNoCredentialsListsEverySource(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	chain, err := credentials.New(credentials.Config{MetadataEndpoint: closed.URL, Options: fastOptions()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = chain.Retrieve(context.Background())
	var none *credentials.NoCredentialsError
	if !errors.As(err, &none) {
		t.Fatalf("want a *credentials.NoCredentialsError, got %v", err)
	}
	for _, want := range []string{
		"assume_role_with_oidc (idp_id or HW_ASSUME_ROLE_IDP_ID)",
		"access_key and secret_key, or HW_ACCESS_KEY and HW_SECRET_KEY",
		"profile or HW_PROFILE, shared_config_file or HW_SHARED_CONFIG_FILE",
		"the ECS metadata service at " + closed.URL, "connection refused",
		"with an agency attached", "HW_METADATA_ENDPOINT",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%s", want, err)
		}
	}
}

func TestChainReportsAnUnusableProfile(t *testing.T) {
	_, err := credentials.New(credentials.Config{Profile: "prod", SharedConfigFile: writeFile(t, "config.json", koocliConfig)})
	var profileErr *credentials.ProfileError
	if !errors.As(err, &profileErr) || profileErr.Profile != "prod" {
		t.Fatalf("want the profile's error, got %v", err)
	}
}

// The configured secrets are known to the chain from the start, for masking logs.
func TestChainKnowsTheConfiguredSecrets(t *testing.T) {
	secrets := new(hwhttp.Secrets)
	o := fastOptions()
	o.Secrets = secrets
	if _, err := credentials.New(credentials.Config{AccessKey: "AK", SecretKey: "SK-conf", SecurityToken: "TOKEN-conf",
		OIDC: &credentials.OIDCConfig{IDToken: "id.token.unused"}, Options: o}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SK-conf", "TOKEN-conf", "id.token.unused"} {
		if !slices.Contains(secrets.Scrubber(), want) {
			t.Errorf("secrets %v lack %q", secrets.Scrubber(), want)
		}
	}
}

func TestIAMEndpointFollowsTheRegion(t *testing.T) {
	for region, want := range map[string]string{
		"cn-north-4":     "https://iam.cn-north-4.myhuaweicloud.com",
		"ap-southeast-3": "https://iam.ap-southeast-3.myhuaweicloud.com",
		"eu-west-101":    "https://iam.eu-west-101.myhuaweicloud.eu",
	} {
		if got := credentials.IAMEndpoint(region); got != want {
			t.Errorf("IAMEndpoint(%q) = %q, want %q", region, got, want)
		}
	}
}
