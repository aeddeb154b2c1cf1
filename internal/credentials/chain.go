package credentials

import (
	"cmp"
	"context"
	"fmt"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Config is the credential configuration of one provider instance, with the connection it is
// used on (the COC endpoint, the retries), as Resolve decides it from the provider block and the
// environment. Resolve has checked it: the key pair is complete or absent, an agency names its
// account by name or by ID, an OIDC exchange has exactly one identity token, and an account for
// its agency, and max_retries is in range.
type Config struct {
	// Region picks the IAM endpoint; empty means the profile's region, else DefaultRegion.
	Region string
	// DomainID is the configured account (domain) ID; see Chain.DomainID.
	DomainID      string
	AccessKey     string
	SecretKey     string
	SecurityToken string
	// SharedConfigFile and Profile select a KooCLI profile.
	SharedConfigFile string
	Profile          string
	// OIDC applies when its IdpID is set.
	OIDC *OIDCConfig
	// AssumeRole is an agency assumed on top of the base credentials, whatever their source.
	AssumeRole       *AssumeRole
	IAMEndpoint      string
	MetadataEndpoint string
	// COCEndpoint is the COC API's base URL, from endpoint or HW_COC_ENDPOINT; empty means the
	// region's, which the caller looks up: the chain itself never calls COC.
	COCEndpoint string
	// Options.MaxRetries is max_retries: the retries of the chain's calls, and of every other
	// client of the provider instance.
	Options
}

// OIDCConfig is assume_role_with_oidc.
type OIDCConfig struct {
	IdpID       string
	IDToken     string
	IDTokenFile string
	// AgencyName and DomainID name an agency assumed with the federated user's credentials.
	AgencyName string
	DomainID   string
	// Duration is the lifetime in seconds of the credentials this source ends with; 0 leaves
	// it to IAM.
	Duration int
}

// Chain is the credentials of one provider instance: the source its configuration picks, behind
// a Cache. It is what the COC client signs with (a hwhttp.CredentialsRenewer).
type Chain struct {
	*Cache
	region   string
	domainID string
}

// Settings named in errors about an agency that IAM rejects.
const (
	assumeRoleSettings = "assume_role's agency_name and domain_name or domain_id (HW_ASSUME_ROLE_AGENCY_NAME, " +
		"HW_ASSUME_ROLE_DOMAIN_NAME, HW_ASSUME_ROLE_DOMAIN_ID)"
	oidcAgencySettings = "assume_role_with_oidc's agency_name and domain_id (HW_ASSUME_ROLE_AGENCY_NAME, HW_ASSUME_ROLE_DOMAIN_ID)"
)

// New picks the source of the credentials from cfg, in this order, and assumes cfg.AssumeRole
// (or else the profile's agency) on top of it:
//
//  1. assume_role_with_oidc, when its identity provider is set;
//  2. the configured key pair;
//  3. a KooCLI profile, when a file or a profile is named;
//  4. the ECS metadata service.
//
// New reads the profile's file, if one applies, and makes no network call: the first Retrieve
// does, once, for every caller.
func New(cfg Config) (*Chain, error) {
	o := cfg.withDefaults()
	useOIDC := cfg.OIDC != nil && cfg.OIDC.IdpID != ""
	c := &Chain{region: cfg.Region, domainID: cfg.DomainID}
	var profile *Profile
	if !useOIDC && cfg.AccessKey == "" && (cfg.SharedConfigFile != "" || cfg.Profile != "") {
		var err error
		if profile, err = LoadProfile(cfg.SharedConfigFile, cfg.Profile); err != nil {
			return nil, err
		}
		c.region = cmp.Or(c.region, profile.Region)
	}
	c.region = cmp.Or(c.region, DefaultRegion)

	role, settings := cfg.AssumeRole, assumeRoleSettings
	if role == nil && profile != nil && profile.AssumeRole != nil {
		role = profile.AssumeRole
		settings = fmt.Sprintf("agencyName and agencyDomainName or agencyDomainId of KooCLI profile %q in %s", profile.Name, profile.File)
	}
	var iam *IAM
	if useOIDC || role != nil {
		var err error
		if iam, err = NewIAM(cmp.Or(cfg.IAMEndpoint, IAMEndpoint(c.region)), o); err != nil {
			return nil, fmt.Errorf("iam_endpoint: %w", err)
		}
	}

	var base hwhttp.CredentialsProvider
	switch {
	case useOIDC:
		oidc := &OIDC{IAM: iam, IdpID: cfg.OIDC.IdpID, IDToken: cfg.OIDC.IDToken, IDTokenFile: cfg.OIDC.IDTokenFile, Duration: cfg.OIDC.Duration}
		base = oidc
		if cfg.OIDC.AgencyName != "" {
			oidc.Duration = 0 // the agency's credentials are the ones that last
			base = &Agency{IAM: iam, Base: oidc, Settings: oidcAgencySettings,
				Role: AssumeRole{AgencyName: cfg.OIDC.AgencyName, DomainID: cfg.OIDC.DomainID, DurationSeconds: cfg.OIDC.Duration}}
			c.domainID = cfg.OIDC.DomainID
		}
	case cfg.AccessKey != "":
		source := "access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY)"
		if cfg.SecurityToken != "" {
			source = "access_key, secret_key and security_token (HW_ACCESS_KEY, HW_SECRET_KEY, HW_SECURITY_TOKEN)"
		}
		base = Static{Credentials: hwhttp.Credentials{AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey, SecurityToken: cfg.SecurityToken}, Source: source}
	case profile != nil:
		base = Static{Credentials: profile.Credentials, Source: fmt.Sprintf("KooCLI profile %q in %s", profile.Name, profile.File)}
		c.domainID = cmp.Or(c.domainID, profile.DomainID)
	default:
		metadata, err := NewMetadata(cfg.MetadataEndpoint, o)
		if err != nil {
			return nil, fmt.Errorf("HW_METADATA_ENDPOINT: %w", err)
		}
		base = lastResort{metadata}
	}
	if role != nil {
		base = &Agency{IAM: iam, Base: base, Role: *role, Settings: settings}
		// COC acts in the agency's account: X-Domain-Id says so when its ID is known, and is
		// left out when the agency names its account by name. The configured domain_id is the
		// caller's account (HW_DOMAIN_ID often stays set to it), which COC would refuse here.
		c.domainID = role.DomainID
	}
	// Whatever secrets the configuration holds are masked, whether or not their source applies.
	o.Secrets.Add(cfg.SecretKey, cfg.SecurityToken)
	if cfg.OIDC != nil {
		o.Secrets.Add(cfg.OIDC.IDToken)
	}
	if profile != nil {
		o.Secrets.Add(profile.Credentials.SecretKey, profile.Credentials.SecurityToken)
	}
	c.Cache = NewCache(base, o)
	return c, nil
}

// Region is the configured region, else the profile's, else DefaultRegion.
func (c *Chain) Region() string { return c.region }

// DomainID is the account COC acts in, sent as X-Domain-Id, or "" to send none: the agency's
// account ID when an agency is assumed (none when the agency names its account by name),
// otherwise the configured account ID, else the profile's.
func (c *Chain) DomainID() string { return c.domainID }

// lastResort is the metadata service, asked because no other source is configured: when it gives
// nothing, the provider has no credentials at all, and the error says where it looked.
type lastResort struct{ *Metadata }

func (l lastResort) Retrieve(ctx context.Context) (hwhttp.Credentials, error) {
	v, err := l.Metadata.Retrieve(ctx)
	if err != nil {
		return hwhttp.Credentials{}, &NoCredentialsError{Metadata: err}
	}
	return v, nil
}

// NoCredentialsError says that no source is configured and that the metadata service, asked last,
// gave no credentials either. It lists every source and what sets it.
type NoCredentialsError struct {
	Metadata error
}

func (e *NoCredentialsError) Error() string {
	return "no credentials: the provider looked, in this order, for assume_role_with_oidc (idp_id or HW_ASSUME_ROLE_IDP_ID), " +
		"an access key pair (access_key and secret_key, or HW_ACCESS_KEY and HW_SECRET_KEY) and a KooCLI profile (profile or " +
		"HW_PROFILE, shared_config_file or HW_SHARED_CONFIG_FILE), and found none set; then it asked " + e.Metadata.Error() +
		". Set one of them, or run on an ECS instance or CCE node with an agency attached (HW_METADATA_ENDPOINT overrides " +
		"the metadata service's address)"
}

func (e *NoCredentialsError) Unwrap() error { return e.Metadata }
