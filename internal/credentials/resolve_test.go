package credentials_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// One source of credentials, as the provider block names it and as the environment gives it,
// and the Config each leads to alone.
type resolveSource struct {
	block     credentials.Block
	blockWant credentials.Config
	env       map[string]string
	envWant   credentials.Config
}

var resolveSources = map[string]resolveSource{
	"nothing": {},
	"OIDC": {
		block:     credentials.Block{credentials.ArgOIDC: "", credentials.ArgOIDCIdpID: "block-idp", credentials.ArgOIDCIDToken: "block.token"},
		blockWant: credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "block.token"}},
		env:       map[string]string{credentials.EnvIdpID: "env-idp", credentials.EnvIDTokenFile: "/env/token"},
		envWant:   credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "env-idp", IDTokenFile: "/env/token"}},
	},
	"key pair": {
		block:     credentials.Block{credentials.ArgAccessKey: "AKBLOCK", credentials.ArgSecretKey: "SK-block"},
		blockWant: credentials.Config{AccessKey: "AKBLOCK", SecretKey: "SK-block"},
		env:       map[string]string{credentials.EnvAccessKey: "AKENV", credentials.EnvSecretKey: "SK-env"},
		envWant:   credentials.Config{AccessKey: "AKENV", SecretKey: "SK-env"},
	},
	"profile": {
		block:     credentials.Block{credentials.ArgProfile: "tenant-b", credentials.ArgSharedConfigFile: "/block/config.json"},
		blockWant: credentials.Config{Profile: "tenant-b", SharedConfigFile: "/block/config.json"},
		env:       map[string]string{credentials.EnvProfile: "env-profile", credentials.EnvSharedConfigFile: "/env/config.json"},
		envWant:   credentials.Config{Profile: "env-profile", SharedConfigFile: "/env/config.json"},
	},
	"metadata service": {
		env:     map[string]string{credentials.EnvMetadataEndpoint: "http://169.254.0.1"},
		envWant: credentials.Config{MetadataEndpoint: "http://169.254.0.1"},
	},
}

// Every source the block can name, against every source the environment can hold: the block's
// source is used and the other's variables are listed as ignored; with nothing in the block,
// the environment's source is used as before.
func TestResolve_TheBlocksSourceWinsOverTheEnvironments(t *testing.T) {
	for _, inBlock := range []string{"nothing", "OIDC", "key pair", "profile"} {
		for _, inEnv := range []string{"nothing", "OIDC", "key pair", "profile", "metadata service"} {
			t.Run(inBlock+" in the block, "+inEnv+" in the environment", func(t *testing.T) {
				b, e := resolveSources[inBlock], resolveSources[inEnv]
				want, wantIgnored := b.blockWant, []string(nil)
				if inBlock == "nothing" {
					want = e.envWant
				} else if inBlock != inEnv {
					wantIgnored = sortedKeys(e.env)
				}
				res := credentials.Resolve(b.block, getenv(e.env))
				want.MaxRetries = hwhttp.DefaultMaxRetries // no row sets max_retries
				if len(res.Problems) != 0 {
					t.Fatalf("problems: %v", res.Problems)
				}
				if !reflect.DeepEqual(res.Config, want) {
					t.Errorf("config\n%s\nwant\n%s", showConfig(res.Config), showConfig(want))
				}
				if got := sorted(res.Ignored); !slices.Equal(got, wantIgnored) {
					t.Errorf("ignored %v, want %v", got, wantIgnored)
				}
			})
		}
	}
}

// The rows of the decision that the matrix above does not cover: what fills in the named
// source, what an agency and the account ID do, and two sources in one block.
func TestResolve_Table(t *testing.T) {
	type problem struct {
		kind credentials.ProblemKind
		arg  credentials.Arg
	}
	envKeys := map[string]string{credentials.EnvAccessKey: "AKENV", credentials.EnvSecretKey: "SK-env"}
	profile := credentials.Block{credentials.ArgProfile: "tenant-b"}
	oidc := credentials.Block{credentials.ArgOIDC: "", credentials.ArgOIDCIdpID: "block-idp", credentials.ArgOIDCIDToken: "block.token"}
	envAgency := map[string]string{credentials.EnvAssumeRoleAgency: "env-agency", credentials.EnvAssumeRoleDomainID: "env-agency-domain",
		credentials.EnvAssumeRoleDuration: "3600"}
	cases := []struct {
		name     string
		block    credentials.Block
		env      map[string]string
		want     credentials.Config
		ignored  []string
		problems []problem
	}{
		// Same source: the variables fill in what the block leaves unset.
		{name: "access_key in the block, the secret key from the environment",
			block: credentials.Block{credentials.ArgAccessKey: "AKBLOCK"}, env: with(envKeys, credentials.EnvProfile, "env-profile"),
			want: credentials.Config{AccessKey: "AKBLOCK", SecretKey: "SK-env"}, ignored: []string{credentials.EnvProfile}},
		{name: "secret_key in the block, the access key and its token from the environment",
			block: credentials.Block{credentials.ArgSecretKey: "SK-block"}, env: with(envKeys, credentials.EnvSecurityToken, "TOKEN-env"),
			want: credentials.Config{AccessKey: "AKENV", SecretKey: "SK-block", SecurityToken: "TOKEN-env"}},
		{name: "HW_SECURITY_TOKEN belongs to HW_ACCESS_KEY, not to the block's access key",
			block: resolveSources["key pair"].block, env: with(envKeys, credentials.EnvSecurityToken, "TOKEN-env"),
			want: credentials.Config{AccessKey: "AKBLOCK", SecretKey: "SK-block"}, ignored: []string{credentials.EnvSecurityToken}},
		{name: "an empty security_token is none, and names no source",
			block: credentials.Block{credentials.ArgSecurityToken: ""}, env: with(envKeys, credentials.EnvSecurityToken, "TOKEN-env"),
			want: credentials.Config{AccessKey: "AKENV", SecretKey: "SK-env"}},
		// The block's security_token, empty, overrides HW_SECURITY_TOKEN: not ignored, overridden.
		{name: "an empty security_token beside a profile",
			block: with(profile, credentials.ArgSecurityToken, ""), env: with(envKeys, credentials.EnvSecurityToken, "TOKEN-env"),
			want: credentials.Config{Profile: "tenant-b"}, ignored: []string{credentials.EnvAccessKey, credentials.EnvSecretKey}},
		{name: "profile in the block, the file from the environment",
			block: profile, env: with(envKeys, credentials.EnvSharedConfigFile, "/env/config.json"),
			want: credentials.Config{Profile: "tenant-b", SharedConfigFile: "/env/config.json"}, ignored: []string{credentials.EnvAccessKey, credentials.EnvSecretKey}},
		{name: "shared_config_file in the block, the profile from the environment",
			block: credentials.Block{credentials.ArgSharedConfigFile: "/block/config.json"}, env: map[string]string{credentials.EnvProfile: "env-profile"},
			want: credentials.Config{Profile: "env-profile", SharedConfigFile: "/block/config.json"}},
		{name: "idp_id in the block, the token and its lifetime from the environment",
			block:   credentials.Block{credentials.ArgOIDC: "", credentials.ArgOIDCIdpID: "block-idp"},
			env:     with(envKeys, credentials.EnvIDToken, "env.token", credentials.EnvAssumeRoleDuration, "1800"),
			want:    credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "env.token", Duration: 1800}},
			ignored: []string{credentials.EnvAccessKey, credentials.EnvSecretKey}},
		{name: "an empty assume_role_with_oidc block takes all from the environment, HCP Terraform's token included",
			block: credentials.Block{credentials.ArgOIDC: ""}, env: with(envKeys, credentials.EnvIdpID, "env-idp", credentials.EnvHCPWorkloadIdentityToken, "hcp.token"),
			want:    credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "env-idp", IDToken: "hcp.token"}},
			ignored: []string{credentials.EnvAccessKey, credentials.EnvSecretKey}},
		// The pairs: the variables fill in only when the block sets neither half.
		{name: "id_token in the block keeps HW_ASSUME_ROLE_ID_TOKEN_FILE out",
			block: oidc, env: map[string]string{credentials.EnvIDTokenFile: "/env/token", credentials.EnvHCPWorkloadIdentityToken: "hcp.token"},
			want: credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "block.token"}}},
		{name: "HW_ASSUME_ROLE_ID_TOKEN_FILE before HCP Terraform's token",
			block: credentials.Block{credentials.ArgOIDC: "", credentials.ArgOIDCIdpID: "block-idp"},
			env:   map[string]string{credentials.EnvIDTokenFile: "/env/token", credentials.EnvHCPWorkloadIdentityToken: "hcp.token"},
			want:  credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDTokenFile: "/env/token"}}},
		{name: "domain_name in assume_role keeps HW_ASSUME_ROLE_DOMAIN_ID out",
			block: credentials.Block{credentials.ArgAssumeRole: "", credentials.ArgAssumeRoleAgency: "coc-operator", credentials.ArgAssumeRoleDomainName: "target"},
			env:   with(envKeys, credentials.EnvAssumeRoleDomainID, "env-agency-domain"),
			want:  credentials.Config{AccessKey: "AKENV", SecretKey: "SK-env", AssumeRole: &credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "target"}}},

		// Agencies: with a source named in the block, only the agency the block asks for applies.
		{name: "an explicit profile ignores the environment's agency",
			block: profile, env: with(envAgency, credentials.EnvAccessKey, "AKENV", credentials.EnvSecretKey, "SK-env"),
			want: credentials.Config{Profile: "tenant-b"},
			ignored: []string{credentials.EnvAccessKey, credentials.EnvSecretKey, credentials.EnvAssumeRoleAgency, credentials.EnvAssumeRoleDomainID,
				credentials.EnvAssumeRoleDuration}},
		{name: "an explicit key pair ignores the environment's agency",
			block: resolveSources["key pair"].block, env: envAgency, want: resolveSources["key pair"].blockWant,
			ignored: []string{credentials.EnvAssumeRoleAgency, credentials.EnvAssumeRoleDomainID, credentials.EnvAssumeRoleDuration}},
		{name: "an explicit profile with assume_role: the variables fill in the block's agency",
			block: with(profile, credentials.ArgAssumeRole, "", credentials.ArgAssumeRoleAgency, "coc-operator"), env: envAgency,
			want: credentials.Config{Profile: "tenant-b", AssumeRole: &credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "env-agency-domain",
				DurationSeconds: 3600}}},
		{name: "explicit OIDC without agency_name ignores the environment's agency, not its duration",
			block: oidc, env: envAgency,
			want:    credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "block.token", Duration: 3600}},
			ignored: []string{credentials.EnvAssumeRoleAgency, credentials.EnvAssumeRoleDomainID}},
		{name: "explicit OIDC with agency_name: the agency's account from the environment",
			block: with(oidc, credentials.ArgOIDCAgency, "coc-federated"), env: envAgency,
			want: credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "block.token", AgencyName: "coc-federated",
				DomainID: "env-agency-domain", Duration: 3600}}},
		{name: "the environment alone: its agency goes to its OIDC exchange",
			env: with(envAgency, credentials.EnvIdpID, "env-idp", credentials.EnvIDToken, "env.token"),
			want: credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "env-idp", IDToken: "env.token", AgencyName: "env-agency",
				DomainID: "env-agency-domain", Duration: 3600}}},
		{name: "the environment alone: its agency on top of its key pair",
			env: with(envAgency, credentials.EnvAccessKey, "AKENV", credentials.EnvSecretKey, "SK-env"),
			want: credentials.Config{AccessKey: "AKENV", SecretKey: "SK-env",
				AssumeRole: &credentials.AssumeRole{AgencyName: "env-agency", DomainID: "env-agency-domain", DurationSeconds: 3600}}},
		{name: "assume_role names no source: the environment's key pair under the block's agency",
			block: credentials.Block{credentials.ArgAssumeRole: "", credentials.ArgAssumeRoleAgency: "coc-operator", credentials.ArgAssumeRoleDomainID: "target"},
			env:   envKeys,
			want:  credentials.Config{AccessKey: "AKENV", SecretKey: "SK-env", AssumeRole: &credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "target"}}},

		// The account ID: HW_DOMAIN_ID is the environment's account.
		{name: "an explicit profile ignores HW_DOMAIN_ID, for the profile's domainId",
			block: profile, env: map[string]string{credentials.EnvDomainID: "domain-env"},
			want: credentials.Config{Profile: "tenant-b"}, ignored: []string{credentials.EnvDomainID}},
		{name: "an explicit profile with domain_id",
			block: with(profile, credentials.ArgDomainID, "domain-b"), env: map[string]string{credentials.EnvDomainID: "domain-env"},
			want: credentials.Config{Profile: "tenant-b", DomainID: "domain-b"}},
		{name: "an explicit key pair ignores HW_DOMAIN_ID",
			block: resolveSources["key pair"].block, env: map[string]string{credentials.EnvDomainID: "domain-env"},
			want: resolveSources["key pair"].blockWant, ignored: []string{credentials.EnvDomainID}},
		{name: "the environment's profile with HW_DOMAIN_ID",
			env:  map[string]string{credentials.EnvProfile: "env-profile", credentials.EnvDomainID: "domain-env"},
			want: credentials.Config{Profile: "env-profile", DomainID: "domain-env"}},
		{name: "region and iam_endpoint apply whatever the source",
			block: profile, env: map[string]string{credentials.EnvRegion: "ap-southeast-3", credentials.EnvIAMEndpoint: "https://iam.example"},
			want: credentials.Config{Profile: "tenant-b", Region: "ap-southeast-3", IAMEndpoint: "https://iam.example"}},

		// Two sources in one block: the conflict is the one problem; the Config is not to be used.
		{name: "a key pair and a profile", block: with(resolveSources["key pair"].block, credentials.ArgProfile, "tenant-b"),
			want: credentials.Config{AccessKey: "AKBLOCK", SecretKey: "SK-block", Profile: "tenant-b"}, problems: []problem{{credentials.ConflictingSources, credentials.ArgProfile}}},
		{name: "OIDC and a security token", block: with(oidc, credentials.ArgSecurityToken, "TOKEN-block"),
			want:     credentials.Config{SecurityToken: "TOKEN-block", OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "block.token"}},
			problems: []problem{{credentials.ConflictingSources, credentials.ArgSecurityToken}}},
		{name: "all three", block: with(with(oidc, credentials.ArgSecretKey, "SK-block"), credentials.ArgSharedConfigFile, "/block/config.json"),
			want: credentials.Config{SecretKey: "SK-block", SharedConfigFile: "/block/config.json", OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "block.token"}},
			problems: []problem{{credentials.ConflictingSources, credentials.ArgSecretKey},
				{credentials.ConflictingSources, credentials.ArgSharedConfigFile}}},
		{name: "two sources in the environment alone keep the order", env: with(envKeys, credentials.EnvProfile, "env-profile"),
			want: credentials.Config{AccessKey: "AKENV", SecretKey: "SK-env", Profile: "env-profile"}},

		// Problems are those of what is read: an ignored variable cannot fail the run.
		{name: "an ignored secret key with a line break", block: profile, env: map[string]string{credentials.EnvSecretKey: "SK-env\n"},
			want: credentials.Config{Profile: "tenant-b"}, ignored: []string{credentials.EnvSecretKey}},
		{name: "half a key pair in the environment", env: map[string]string{credentials.EnvSecretKey: "SK-env"},
			want: credentials.Config{SecretKey: "SK-env"}, problems: []problem{{credentials.IncompleteKeyPair, credentials.ArgAccessKey}}},
		{name: "a secret key with a line break", block: credentials.Block{credentials.ArgAccessKey: "AKBLOCK"}, env: map[string]string{credentials.EnvSecretKey: "SK-env\n"},
			want: credentials.Config{AccessKey: "AKBLOCK", SecretKey: "SK-env\n"}, problems: []problem{{credentials.InvalidValue, credentials.ArgSecretKey}}},
		{name: "a duration out of range", block: credentials.Block{credentials.ArgAssumeRole: "", credentials.ArgAssumeRoleAgency: "a", credentials.ArgAssumeRoleDomainID: "d"},
			env:      map[string]string{credentials.EnvAssumeRoleDuration: "60"},
			want:     credentials.Config{AssumeRole: &credentials.AssumeRole{AgencyName: "a", DomainID: "d", DurationSeconds: 60}},
			problems: []problem{{credentials.InvalidValue, credentials.ArgAssumeRoleDuration}}},
		{name: "OIDC with two tokens from the environment", env: map[string]string{credentials.EnvIdpID: "env-idp", credentials.EnvIDToken: "env.token",
			credentials.EnvIDTokenFile: "/env/token"},
			want:     credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "env-idp", IDToken: "env.token", IDTokenFile: "/env/token"}},
			problems: []problem{{credentials.InvalidOIDC, credentials.ArgOIDCIDTokenFile}}},
		{name: "an OIDC agency without its account", block: with(oidc, credentials.ArgOIDCAgency, "coc-federated"),
			want:     credentials.Config{OIDC: &credentials.OIDCConfig{IdpID: "block-idp", IDToken: "block.token", AgencyName: "coc-federated"}},
			problems: []problem{{credentials.InvalidOIDC, credentials.ArgOIDCDomainID}}},
		{name: "assume_role without an agency", block: credentials.Block{credentials.ArgAssumeRole: "", credentials.ArgAssumeRoleDomainName: "target"},
			want:     credentials.Config{AssumeRole: &credentials.AssumeRole{DomainName: "target"}},
			problems: []problem{{credentials.InvalidAssumeRole, credentials.ArgAssumeRoleAgency}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := credentials.Resolve(tc.block, getenv(tc.env))
			tc.want.MaxRetries = hwhttp.DefaultMaxRetries // no row sets max_retries
			if !reflect.DeepEqual(res.Config, tc.want) {
				t.Errorf("config\n%s\nwant\n%s", showConfig(res.Config), showConfig(tc.want))
			}
			if got, want := sorted(res.Ignored), sorted(tc.ignored); !slices.Equal(got, want) {
				t.Errorf("ignored %v, want %v", got, want)
			}
			var got []problem
			for _, p := range res.Problems {
				got = append(got, problem{p.Kind, p.Arg})
				for _, value := range tc.env {
					if len(value) > 4 && strings.Contains(p.Detail, value) {
						t.Errorf("the problem shows a value: %s", p.Detail)
					}
				}
			}
			if !slices.Equal(got, tc.problems) {
				t.Errorf("problems %v (%v), want %v", got, res.Problems, tc.problems)
			}
		})
	}
}

// A conflict names both arguments and what each is, and the way to two accounts.
func TestResolve_TwoSourcesInOneBlockNameBoth(t *testing.T) {
	res := credentials.Resolve(credentials.Block{credentials.ArgProfile: "tenant-b", credentials.ArgAccessKey: "AKBLOCK",
		credentials.ArgSecretKey: "SK-block"}, getenv(nil))
	if len(res.Problems) != 1 {
		t.Fatalf("problems %v, want one", res.Problems)
	}
	p := res.Problems[0]
	for _, want := range []string{"access_key (an access key pair)", "profile (a KooCLI profile)", "alias"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("the problem does not say %q: %s", want, p.Detail)
		}
	}
	if res.NamedBy != credentials.ArgAccessKey {
		t.Errorf("named by %q, want access_key, the first in the order", res.NamedBy)
	}
}

// ConfigFromEnv is the decision with an empty block, and refuses what the provider refuses.
func TestConfigFromEnv_IsTheDecisionWithAnEmptyBlock(t *testing.T) {
	env := map[string]string{credentials.EnvIdpID: "env-idp", credentials.EnvIDTokenFile: "/env/token", credentials.EnvAccessKey: "AKENV",
		credentials.EnvSecretKey: "SK-env", credentials.EnvDomainID: "domain-env"}
	cfg, err := credentials.ConfigFromEnv(getenv(env))
	if want := credentials.Resolve(nil, getenv(env)).Config; err != nil || !reflect.DeepEqual(cfg, want) {
		t.Fatalf("ConfigFromEnv: %s, %v; want %s", showConfig(cfg), err, showConfig(want))
	}
	env[credentials.EnvAssumeRoleAgency] = "env-agency" // without HW_ASSUME_ROLE_DOMAIN_ID
	if _, err := credentials.ConfigFromEnv(getenv(env)); err == nil || !strings.Contains(err.Error(), credentials.EnvAssumeRoleDomainID) {
		t.Fatalf("an OIDC agency without its account: %v", err)
	}
}

func getenv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

// with returns a copy of m with the key-value pairs kv added.
func with[K ~string](m map[K]string, kv ...K) map[K]string {
	out := make(map[K]string, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = string(kv[i+1])
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return sorted(keys)
}

func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(s))
}

func showConfig(c credentials.Config) string {
	return fmt.Sprintf("%+v, OIDC %+v, AssumeRole %+v", c, c.OIDC, c.AssumeRole)
}

// The connection the credentials are used on is read with them: endpoint and max_retries from the
// block, else their variables, whatever the source; HW_MAX_RETRIES out of range is a problem on
// max_retries, which names the variable and its value.
func TestResolve_TheEndpointAndTheRetries(t *testing.T) {
	profile := credentials.Block{credentials.ArgProfile: "tenant-b"}
	cases := []struct {
		name       string
		block      credentials.Block
		env        map[string]string
		endpoint   string
		maxRetries int
		problem    string
	}{
		{name: "neither", maxRetries: hwhttp.DefaultMaxRetries},
		{name: "the variables, whatever the source", block: profile,
			env:      map[string]string{credentials.EnvCOCEndpoint: "https://coc.env.example", credentials.EnvMaxRetries: "2"},
			endpoint: "https://coc.env.example", maxRetries: 2},
		{name: "the block wins", block: credentials.Block{credentials.ArgEndpoint: "https://coc.block.example", credentials.ArgMaxRetries: "1"},
			env:      map[string]string{credentials.EnvCOCEndpoint: "https://coc.env.example", credentials.EnvMaxRetries: "0"},
			endpoint: "https://coc.block.example", maxRetries: 1},
		{name: "no retries", env: map[string]string{credentials.EnvMaxRetries: "0"}, maxRetries: 0},
		{name: "out of range", env: map[string]string{credentials.EnvMaxRetries: "21"}, problem: `HW_MAX_RETRIES is "21": not a whole number from 0 to 20`},
		{name: "not a number", env: map[string]string{credentials.EnvMaxRetries: "five"}, problem: `HW_MAX_RETRIES is "five"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := credentials.Resolve(tc.block, getenv(tc.env))
			if res.Config.COCEndpoint != tc.endpoint || res.Config.MaxRetries != tc.maxRetries {
				t.Errorf("endpoint %q, max_retries %d; want %q, %d", res.Config.COCEndpoint, res.Config.MaxRetries, tc.endpoint, tc.maxRetries)
			}
			switch {
			case tc.problem == "" && len(res.Problems) != 0:
				t.Errorf("problems: %v", res.Problems)
			case tc.problem != "" && (len(res.Problems) != 1 || res.Problems[0].Arg != credentials.ArgMaxRetries ||
				res.Problems[0].Kind != credentials.InvalidValue || !strings.Contains(res.Problems[0].Detail, tc.problem)):
				t.Errorf("problems %v, want one on max_retries saying %q", res.Problems, tc.problem)
			}
			if len(res.Ignored) != 0 {
				t.Errorf("ignored %v: the connection's variables apply whatever the source", res.Ignored)
			}
		})
	}
}
