package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// settings reads the provider's arguments, each falling back to its environment variable, and
// reports what is wrong with them on the argument's path. The schema has checked the provider
// block; these checks cover what comes from the environment, and combinations of both.
type settings struct{ diags *diag.Diagnostics }

// str returns the argument at p, or its variable env when the argument is null. A value that
// must be one line (a key, a token, a name, an ID) is checked for whitespace and control
// characters without being shown: a value read from a file often ends in a line break.
func (s settings) str(p path.Path, v types.String, env string, oneLine bool) string {
	value := v.ValueString()
	switch {
	case v.IsUnknown():
		s.unknown(p, env)
		return ""
	case v.IsNull():
		value = os.Getenv(env)
	}
	if i := strings.IndexFunc(value, func(r rune) bool { return r <= ' ' || r > '~' }); oneLine && i >= 0 {
		s.diags.AddAttributeError(p, "Invalid Provider Argument",
			fmt.Sprintf("The value of %s (from the provider block or the %s environment variable) has a space, a line break, a control "+
				"character or a non-ASCII character at byte %d. (The value is not shown.) Set it again without surrounding whitespace.",
				p, env, i+1))
	}
	return value
}

// oneOf reads two arguments of which one is to be set. The environment fills in only when the
// provider block sets neither, so that a variable left over in the environment cannot clash
// with what the block says.
func (s settings) oneOf(p1 path.Path, v1 types.String, env1 string, p2 path.Path, v2 types.String, env2 string) (string, string) {
	fromEnv := v1.IsNull() && v2.IsNull()
	read := func(p path.Path, v types.String, env string) string {
		if v.IsNull() && !fromEnv {
			return ""
		}
		return s.str(p, v, env, true)
	}
	return read(p1, v1, env1), read(p2, v2, env2)
}

// duration returns a lifetime in seconds from the argument at p or from env; 0 when neither
// sets one.
func (s settings) duration(p path.Path, v types.Int64, env string) int {
	switch {
	case v.IsUnknown():
		s.unknown(p, env)
		return 0
	case !v.IsNull():
		return int(v.ValueInt64())
	}
	raw := os.Getenv(env)
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < minDuration || n > maxDuration {
		s.diags.AddAttributeError(p, "Invalid Provider Argument",
			fmt.Sprintf("The %s environment variable, which sets %s, is %q: not a number of seconds from %d to %d (15 minutes to 24 "+
				"hours). Set it to one, or unset it for IAM's default of 15 minutes.", env, p, raw, minDuration, maxDuration))
	}
	return n
}

// maxRetries returns max_retries, else HW_MAX_RETRIES, else the default. The schema checks the
// argument's range; the variable is checked here against the same one.
func (s settings) maxRetries(v types.Int64) int {
	p := path.Root("max_retries")
	switch {
	case v.IsUnknown():
		s.unknown(p, envMaxRetries)
		return 0
	case !v.IsNull():
		return int(v.ValueInt64())
	}
	n, err := credentials.MaxRetriesFromEnv(os.Getenv)
	if err != nil {
		s.diags.AddAttributeError(p, "Invalid Provider Argument", fmt.Sprintf("The %s environment variable sets max_retries where "+
			"the provider block does not: %s. Set it to a number of retries from 0 to %d, or unset it for the default of %d.",
			envMaxRetries, err, hwhttp.MaxRetriesLimit, hwhttp.DefaultMaxRetries))
	}
	return n
}

func (s settings) unknown(p path.Path, env string) {
	s.diags.AddAttributeError(p, "Unknown Provider Argument",
		fmt.Sprintf("The provider's %s is not known until apply, but the provider must be configured to plan. "+
			"Set it to a value known at plan time, or use the %s environment variable.", p, env))
}

// credentials reads every argument that says where the credentials come from.
func (s settings) credentials(cfg providerModel) credentials.Config {
	c := credentials.Config{
		DomainID:         s.str(path.Root("domain_id"), cfg.DomainID, envDomainID, true),
		AccessKey:        s.str(path.Root("access_key"), cfg.AccessKey, envAccessKey, true),
		SecretKey:        s.str(path.Root("secret_key"), cfg.SecretKey, envSecretKey, true),
		SecurityToken:    s.str(path.Root("security_token"), cfg.SecurityToken, envSecurityToken, true),
		SharedConfigFile: s.str(path.Root("shared_config_file"), cfg.SharedConfigFile, envSharedConfigFile, false),
		Profile:          s.str(path.Root("profile"), cfg.Profile, envProfile, false),
		IAMEndpoint:      s.str(path.Root("iam_endpoint"), cfg.IAMEndpoint, envIAMEndpoint, false),
		MetadataEndpoint: os.Getenv(envMetadataEndpoint),
	}
	s.keyPair(c)
	c.OIDC = s.oidc(cfg.AssumeRoleWithOIDC)
	c.AssumeRole = s.assumeRole(cfg.AssumeRole, c.OIDC != nil)
	if c.IAMEndpoint != "" {
		if _, err := hwhttp.ParseEndpoint(c.IAMEndpoint); err != nil {
			addEndpointError(s.diags, path.Root("iam_endpoint"), "IAM", envIAMEndpoint, credentials.IAMEndpoint(credentials.DefaultRegion), err)
		}
	}
	if c.MetadataEndpoint != "" {
		if _, err := hwhttp.ParseEndpoint(c.MetadataEndpoint); err != nil {
			addEndpointError(s.diags, path.Empty(), "Metadata", envMetadataEndpoint, credentials.DefaultMetadataEndpoint, err)
		}
	}
	return c
}

// keyPair checks that the key pair is complete, or absent so that another source applies.
func (s settings) keyPair(c credentials.Config) {
	incomplete := func(attr, detail string) {
		s.diags.AddAttributeError(path.Root(attr), "Incomplete Access Key Pair", detail+" Leave access_key, secret_key and "+
			"security_token (and their variables) all unset to take the credentials from another source: a KooCLI profile, "+
			"assume_role_with_oidc or the ECS metadata service.")
	}
	switch {
	case c.AccessKey == "" && c.SecretKey != "":
		incomplete("access_key", fmt.Sprintf("The provider has a secret key (secret_key or %s) but no access key: set access_key "+
			"in the provider block or the %s environment variable.", envSecretKey, envAccessKey))
	case c.AccessKey != "" && c.SecretKey == "":
		incomplete("secret_key", fmt.Sprintf("The provider has an access key (access_key or %s) but no secret key: set secret_key "+
			"in the provider block or the %s environment variable.", envAccessKey, envSecretKey))
	case c.AccessKey == "" && c.SecurityToken != "":
		incomplete("security_token", fmt.Sprintf("The provider has a security token (security_token or %s) but no key pair to go "+
			"with it: set access_key and secret_key (or %s and %s) to the temporary key pair it belongs to.", envSecurityToken, envAccessKey, envSecretKey))
	}
}

// oidc reads assume_role_with_oidc: the block, or without one the variables, when
// HW_ASSUME_ROLE_IDP_ID is set.
func (s settings) oidc(m *oidcModel) *credentials.OIDCConfig {
	if m == nil {
		if os.Getenv(envIdpID) == "" {
			return nil
		}
		m = &oidcModel{}
	}
	p := path.Root("assume_role_with_oidc")
	o := &credentials.OIDCConfig{
		IdpID:      s.str(p.AtName("idp_id"), m.IdpID, envIdpID, true),
		AgencyName: s.str(p.AtName("agency_name"), m.AgencyName, envAssumeRoleAgency, true),
		DomainID:   s.str(p.AtName("domain_id"), m.DomainID, envAssumeRoleDomainID, true),
		Duration:   s.duration(p.AtName("duration"), m.Duration, envAssumeRoleDuration),
	}
	o.IDToken, o.IDTokenFile = s.oneOf(p.AtName("id_token"), m.IDToken, envIDToken, p.AtName("id_token_file"), m.IDTokenFile, envIDTokenFile)
	if o.IDToken == "" && o.IDTokenFile == "" {
		// Runs on HCP Terraform's own workers have no hook that could copy the token elsewhere.
		o.IDToken = s.str(p.AtName("id_token"), types.StringNull(), envHCPWorkloadIdentityToken, true)
	}
	invalid := func(attr, detail string) { s.diags.AddAttributeError(p.AtName(attr), "Invalid OIDC Settings", detail) }
	if o.IdpID == "" {
		invalid("idp_id", fmt.Sprintf("assume_role_with_oidc needs the ID of the identity provider in IAM: set idp_id in the block "+
			"or the %s environment variable.", envIdpID))
	}
	switch {
	case o.IDToken == "" && o.IDTokenFile == "":
		invalid("id_token", fmt.Sprintf("assume_role_with_oidc needs the identity token: set id_token (or %s), or id_token_file (or %s) "+
			"to the file the CI system writes it to. In HCP Terraform, set TFC_WORKLOAD_IDENTITY_AUDIENCE in the workspace, and "+
			"the run's %s is used.", envIDToken, envIDTokenFile, envHCPWorkloadIdentityToken))
	case o.IDToken != "" && o.IDTokenFile != "":
		invalid("id_token_file", fmt.Sprintf("Both %s and %s are set: set only one.", envIDToken, envIDTokenFile))
	}
	if o.AgencyName != "" && o.DomainID == "" {
		invalid("domain_id", fmt.Sprintf("assume_role_with_oidc assumes agency %q, and needs the ID of the account it belongs to: set "+
			"domain_id in the block or the %s environment variable.", o.AgencyName, envAssumeRoleDomainID))
	}
	return o
}

// assumeRole reads assume_role: the block, or without one the variables, when
// HW_ASSUME_ROLE_AGENCY_NAME is set and does not belong to assume_role_with_oidc.
func (s settings) assumeRole(m *assumeRoleModel, oidc bool) *credentials.AssumeRole {
	if m == nil {
		if oidc || os.Getenv(envAssumeRoleAgency) == "" {
			return nil
		}
		m = &assumeRoleModel{}
	}
	p := path.Root("assume_role")
	role := &credentials.AssumeRole{
		AgencyName:      s.str(p.AtName("agency_name"), m.AgencyName, envAssumeRoleAgency, true),
		DurationSeconds: s.duration(p.AtName("duration"), m.Duration, envAssumeRoleDuration),
	}
	role.DomainName, role.DomainID = s.oneOf(p.AtName("domain_name"), m.DomainName, envAssumeRoleDomainName, p.AtName("domain_id"), m.DomainID, envAssumeRoleDomainID)
	invalid := func(attr, detail string) {
		s.diags.AddAttributeError(p.AtName(attr), "Invalid Assume Role Settings", detail)
	}
	if role.AgencyName == "" {
		invalid("agency_name", fmt.Sprintf("assume_role needs the agency's name: set agency_name in the block or the %s environment variable.", envAssumeRoleAgency))
	}
	switch {
	case role.DomainName == "" && role.DomainID == "":
		invalid("domain_name", fmt.Sprintf("assume_role needs the account the agency belongs to: set domain_name (or %s) or domain_id (or %s).",
			envAssumeRoleDomainName, envAssumeRoleDomainID))
	case role.DomainName != "" && role.DomainID != "":
		invalid("domain_id", fmt.Sprintf("Both %s and %s are set: set only one.", envAssumeRoleDomainName, envAssumeRoleDomainID))
	}
	return role
}

// checkCredentials obtains the credentials while planning a change to a binding, so that
// credentials that do not work fail the plan rather than the apply. The provider's resources
// share them, so this costs at most the one resolution the apply would make anyway.
func (d *providerData) checkCredentials(ctx context.Context, displayName string, diags *diag.Diagnostics) {
	if d == nil {
		return // not configured, as while validating
	}
	if _, err := d.credentials.Retrieve(ctx); err != nil {
		diags.AddError("Failed to Obtain COC Credentials", fmt.Sprintf("The plan changes the %s binding, and the provider could not "+
			"obtain the credentials to apply it: %s", displayName, err))
	}
}

// addEndpointError reports an endpoint that is not an absolute http(s) URL; p is empty for one
// that only a variable sets.
func addEndpointError(diags *diag.Diagnostics, p path.Path, service, env, example string, err error) {
	summary := fmt.Sprintf("Invalid %s Endpoint", service)
	if p.Equal(path.Empty()) {
		diags.AddError(summary, fmt.Sprintf("%s (from the %s environment variable). Use an absolute URL such as %s.", err, env, example))
		return
	}
	diags.AddAttributeError(p, summary, fmt.Sprintf("%s (from %s or %s). Use an absolute URL such as %s.", err, p, env, example))
}

// addChainError reports what stopped the credentials' source from being set up: a KooCLI
// profile that cannot be used, on the argument that named it.
func addChainError(diags *diag.Diagnostics, c credentials.Config, err error) {
	var profileErr *credentials.ProfileError
	if !errors.As(err, &profileErr) {
		diags.AddError("Invalid Provider Configuration",
			fmt.Sprintf("The provider could not set up its credentials: %s. If the arguments look right, this is a bug in the provider: "+
				"please report it.", err))
		return
	}
	attr := "profile"
	if c.Profile == "" {
		attr = "shared_config_file"
	}
	diags.AddAttributeError(path.Root(attr), "Failed to Load KooCLI Profile", fmt.Sprintf("%s.", err))
}
