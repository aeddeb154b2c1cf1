package credentials

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// DefaultSharedConfigFile is where KooCLI (hcloud) keeps its profiles, under the home directory.
const DefaultSharedConfigFile = "~/.hcloud/config.json"

// Profile is what the provider takes from a KooCLI profile.
type Profile struct {
	Name string
	File string
	// Credentials are the profile's key pair: its own in mode AKSK, ssoAuth.stsToken's in SSO.
	Credentials hwhttp.Credentials
	Region      string
	DomainID    string
	// AssumeRole is the profile's agency, or nil.
	AssumeRole *AssumeRole
}

// ProfileError is a KooCLI profile the provider cannot use. It names the file and, once known,
// the profile.
type ProfileError struct {
	File    string
	Profile string
	Reason  string
}

func (e *ProfileError) Error() string {
	if e.Profile == "" {
		return fmt.Sprintf("shared config file %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("KooCLI profile %q in %s: %s", e.Profile, e.File, e.Reason)
}

// sharedConfig is KooCLI's file, as far as the provider reads it.
type sharedConfig struct {
	Current  string         `json:"current"`
	Profiles []profileEntry `json:"profiles"`
}

type profileEntry struct {
	Name             string  `json:"name"`
	Mode             string  `json:"mode"`
	AccessKeyID      string  `json:"accessKeyId"`
	SecretAccessKey  string  `json:"secretAccessKey"`
	SecurityToken    string  `json:"securityToken"`
	Region           string  `json:"region"`
	DomainID         string  `json:"domainId"`
	AgencyName       string  `json:"agencyName"`
	AgencyDomainName string  `json:"agencyDomainName"`
	AgencyDomainID   string  `json:"agencyDomainId"`
	SsoAuth          ssoAuth `json:"ssoAuth"`
}

type ssoAuth struct {
	StsToken struct {
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
		SecurityToken   string `json:"securityToken"`
	} `json:"stsToken"`
}

// LoadProfile reads the profile called name (the file's current profile when empty) from file
// (DefaultSharedConfigFile when empty; a leading ~ is the home directory).
func LoadProfile(file, name string) (*Profile, error) {
	path, err := expandHome(cmp.Or(file, DefaultSharedConfigFile))
	if err != nil {
		return nil, &ProfileError{File: file, Profile: name, Reason: err.Error() + "; set shared_config_file (HW_SHARED_CONFIG_FILE)"}
	}
	fail := func(reason string, args ...any) error {
		return &ProfileError{File: path, Profile: name, Reason: fmt.Sprintf(reason, args...)}
	}
	data, err := os.ReadFile(path)
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail("the file does not exist. Configure the profile with KooCLI (hcloud configure init), or set " +
			"shared_config_file (HW_SHARED_CONFIG_FILE) to the file KooCLI wrote")
	case errors.As(err, &pathErr):
		return nil, fail("reading the file failed: %v", pathErr.Err)
	case err != nil:
		return nil, fail("reading the file failed: %v", err)
	}
	var config sharedConfig
	if err := json.Unmarshal(data, &config); err != nil {
		return nil, fail("the file is not KooCLI's JSON: %v", err)
	}
	if name == "" {
		if name = config.Current; name == "" {
			return nil, fail("the file names no current profile: set profile (HW_PROFILE)")
		}
	}
	var names []string
	for _, p := range config.Profiles {
		if p.Name == name {
			return p.profile(path)
		}
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	return nil, &ProfileError{File: path, Profile: name, Reason: fmt.Sprintf("the file has no such profile, only %s: set profile (HW_PROFILE) to one of them",
		strings.Join(names, ", "))}
}

func (p profileEntry) profile(file string) (*Profile, error) {
	fail := func(reason string) error { return &ProfileError{File: file, Profile: p.Name, Reason: reason} }
	out := &Profile{Name: p.Name, File: file, Region: p.Region, DomainID: p.DomainID}
	switch strings.ToUpper(p.Mode) {
	case "", "AKSK":
		out.Credentials = hwhttp.Credentials{AccessKey: p.AccessKeyID, SecretKey: p.SecretAccessKey, SecurityToken: p.SecurityToken}
		if out.Credentials.AccessKey == "" || out.Credentials.SecretKey == "" {
			return nil, fail("mode AKSK, but accessKeyId or secretAccessKey is empty: configure the profile again with KooCLI")
		}
	case "SSO":
		t := p.SsoAuth.StsToken
		out.Credentials = hwhttp.Credentials{AccessKey: t.AccessKeyID, SecretKey: t.SecretAccessKey, SecurityToken: t.SecurityToken}
		if out.Credentials.AccessKey == "" || out.Credentials.SecretKey == "" {
			return nil, fail("mode SSO, but ssoAuth.stsToken has no accessKeyId or secretAccessKey: sign in again with KooCLI")
		}
	default:
		return nil, fail(fmt.Sprintf("mode %q is not one the provider reads (AKSK, SSO). On an ECS instance with an agency, leave "+
			"profile and shared_config_file unset: the provider then asks the metadata service", p.Mode))
	}
	if p.AgencyName != "" {
		if p.AgencyDomainName == "" && p.AgencyDomainID == "" {
			return nil, fail("agencyName is set without agencyDomainName or agencyDomainId: set the account the agency belongs to")
		}
		out.AssumeRole = &AssumeRole{AgencyName: p.AgencyName, DomainName: p.AgencyDomainName, DomainID: p.AgencyDomainID}
	}
	return out, nil
}

func expandHome(path string) (string, error) {
	rest, ok := strings.CutPrefix(path, "~")
	if !ok || rest != "" && !strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, string(filepath.Separator)) {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("the home directory is unknown: %w", err)
	}
	return filepath.Join(home, rest), nil
}
