package credentials_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// koocliConfig is a KooCLI config.json with one profile of each kind.
const koocliConfig = `{
  "current": "dev",
  "profiles": [
    {"name": "dev", "mode": "AKSK", "accessKeyId": "AKDEV", "secretAccessKey": "SK-dev", "region": "ap-southeast-3", "domainId": "domain-dev"},
    {"name": "temp", "mode": "AKSK", "accessKeyId": "AKTMP", "secretAccessKey": "SK-tmp", "securityToken": "TOKEN-tmp"},
    {"name": "sso", "mode": "SSO", "accessKeyId": "", "ssoAuth": {"stsToken": {"accessKeyId": "AKSSO", "secretAccessKey": "SK-sso", "securityToken": "TOKEN-sso"}}},
    {"name": "ops", "mode": "AKSK", "accessKeyId": "AKOPS", "secretAccessKey": "SK-ops", "agencyName": "coc-operator", "agencyDomainName": "target"},
    {"name": "empty", "mode": "AKSK"},
    {"name": "sso-signed-out", "mode": "SSO"},
    {"name": "ecs", "mode": "ecsAgency"},
    {"name": "half-agency", "mode": "AKSK", "accessKeyId": "AK", "secretAccessKey": "SK", "agencyName": "coc-operator"}
  ]
}`

func TestProfilesAreReadByMode(t *testing.T) {
	file := writeFile(t, "config.json", koocliConfig)
	cases := []struct {
		name string
		want credentials.Profile
	}{
		{"", credentials.Profile{Name: "dev", File: file, Credentials: hwhttp.Credentials{AccessKey: "AKDEV", SecretKey: "SK-dev"}, Region: "ap-southeast-3", DomainID: "domain-dev"}},
		{"temp", credentials.Profile{Name: "temp", File: file, Credentials: hwhttp.Credentials{AccessKey: "AKTMP", SecretKey: "SK-tmp", SecurityToken: "TOKEN-tmp"}}},
		{"sso", credentials.Profile{Name: "sso", File: file, Credentials: hwhttp.Credentials{AccessKey: "AKSSO", SecretKey: "SK-sso", SecurityToken: "TOKEN-sso"}}},
		{"ops", credentials.Profile{Name: "ops", File: file, Credentials: hwhttp.Credentials{AccessKey: "AKOPS", SecretKey: "SK-ops"},
			AssumeRole: &credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "target"}}},
	}
	for _, tc := range cases {
		got, err := credentials.LoadProfile(file, tc.name)
		if err != nil {
			t.Fatalf("profile %q: %v", tc.name, err)
		}
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("profile %q = %+v, want %+v", tc.name, *got, tc.want)
		}
	}
}

// Without a file, KooCLI's own one in the home directory is read.
func TestProfilesDefaultToKooCLIsFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.MkdirAll(filepath.Join(home, ".hcloud"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".hcloud", "config.json"), []byte(koocliConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := credentials.LoadProfile("", "temp")
	if err != nil {
		t.Fatal(err)
	}
	if got.File != filepath.Join(home, ".hcloud", "config.json") || got.Credentials.AccessKey != "AKTMP" {
		t.Fatalf("profile %+v, want temp from the home directory's file", got)
	}
	if got, err := credentials.LoadProfile("~/.hcloud/config.json", ""); err != nil || got.Name != "dev" {
		t.Fatalf("a file under ~ gave %+v, %v", got, err)
	}
}

// Every profile the provider cannot use is an error naming the profile and the file.
func TestUnusableProfilesNameProfileAndFile(t *testing.T) {
	file := writeFile(t, "config.json", koocliConfig)
	missing := filepath.Join(t.TempDir(), "nowhere.json")
	cases := []struct {
		file, name string
		want       []string
	}{
		{missing, "dev", []string{`KooCLI profile "dev" in ` + missing, "the file does not exist", "shared_config_file (HW_SHARED_CONFIG_FILE)"}},
		{file, "prod", []string{`KooCLI profile "prod" in ` + file, `no such profile, only "dev", "temp", "sso"`, "set profile (HW_PROFILE)"}},
		{file, "empty", []string{`"empty"`, file, "mode AKSK, but accessKeyId or secretAccessKey is empty"}},
		{file, "sso-signed-out", []string{`"sso-signed-out"`, file, "ssoAuth.stsToken has no accessKeyId"}},
		{file, "ecs", []string{`"ecs"`, `mode "ecsAgency" is not one the provider reads`, "leave profile and shared_config_file unset"}},
		{file, "half-agency", []string{`"half-agency"`, "agencyName is set without agencyDomainName or agencyDomainId"}},
		{writeFile(t, "broken.json", "{"), "dev", []string{"broken.json", "is not KooCLI's JSON"}},
		{writeFile(t, "nocurrent.json", `{"profiles":[]}`), "", []string{"nocurrent.json", "names no current profile: set profile (HW_PROFILE)"}},
	}
	for _, tc := range cases {
		_, err := credentials.LoadProfile(tc.file, tc.name)
		expectError[*credentials.ProfileError](t, err, tc.want...)
	}
}
