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
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// settings reads the provider's arguments and reports what is wrong with them on the argument's
// path. The schema has checked the provider block; these checks cover what comes from the
// environment, and combinations of both.
type settings struct{ diags *diag.Diagnostics }

func (s settings) unknown(p path.Path, env string) {
	s.diags.AddAttributeError(p, "Unknown Provider Argument",
		fmt.Sprintf("The provider's %s is not known until apply, but the provider must be configured to plan. "+
			"Set it to a value known at plan time, or use the %s environment variable.", p, env))
}

// credentials decides where the credentials come from, and the COC endpoint and max_retries
// they are used with: credentials.Resolve, which reads the environment for the provider (the
// HW_* variables, once), overlays the provider block on it, and its problems are reported on
// their arguments.
func (s settings) credentials(cfg providerModel) credentials.Resolution {
	block, known := s.block(cfg)
	if !known {
		return credentials.Resolution{}
	}
	res := credentials.Resolve(block, os.Getenv)
	for _, p := range res.Problems {
		addCredentialProblem(s.diags, p)
	}
	c := res.Config
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
	return res
}

// block is what the provider block sets about credentials and the connection. known is false when
// an argument is not known until apply, which is reported.
func (s settings) block(cfg providerModel) (b credentials.Block, known bool) {
	b, known = credentials.Block{}, true
	str := func(a credentials.Arg, v types.String) {
		switch {
		case v.IsUnknown():
			s.unknown(argPath(a), a.Variable())
			known = false
		case !v.IsNull():
			b[a] = v.ValueString()
		}
	}
	number := func(a credentials.Arg, v types.Int64) {
		switch {
		case v.IsUnknown():
			s.unknown(argPath(a), a.Variable())
			known = false
		case !v.IsNull():
			b[a] = strconv.FormatInt(v.ValueInt64(), 10)
		}
	}
	str(credentials.ArgEndpoint, cfg.Endpoint)
	number(credentials.ArgMaxRetries, cfg.MaxRetries)
	str(credentials.ArgRegion, cfg.Region)
	str(credentials.ArgDomainID, cfg.DomainID)
	str(credentials.ArgAccessKey, cfg.AccessKey)
	str(credentials.ArgSecretKey, cfg.SecretKey)
	str(credentials.ArgSecurityToken, cfg.SecurityToken)
	str(credentials.ArgSharedConfigFile, cfg.SharedConfigFile)
	str(credentials.ArgProfile, cfg.Profile)
	str(credentials.ArgIAMEndpoint, cfg.IAMEndpoint)
	if m := cfg.AssumeRole; m != nil {
		b[credentials.ArgAssumeRole] = ""
		str(credentials.ArgAssumeRoleAgency, m.AgencyName)
		str(credentials.ArgAssumeRoleDomainName, m.DomainName)
		str(credentials.ArgAssumeRoleDomainID, m.DomainID)
		number(credentials.ArgAssumeRoleDuration, m.Duration)
	}
	if m := cfg.AssumeRoleWithOIDC; m != nil {
		b[credentials.ArgOIDC] = ""
		str(credentials.ArgOIDCIdpID, m.IdpID)
		str(credentials.ArgOIDCIDToken, m.IDToken)
		str(credentials.ArgOIDCIDTokenFile, m.IDTokenFile)
		str(credentials.ArgOIDCAgency, m.AgencyName)
		str(credentials.ArgOIDCDomainID, m.DomainID)
		number(credentials.ArgOIDCDuration, m.Duration)
	}
	return b, known
}

// argPath is the schema path of a credential argument.
func argPath(a credentials.Arg) path.Path {
	parts := strings.Split(string(a), ".")
	p := path.Root(parts[0])
	for _, name := range parts[1:] {
		p = p.AtName(name)
	}
	return p
}

// addCredentialProblem reports one of credentials.Resolve's problems on its argument.
func addCredentialProblem(diags *diag.Diagnostics, p credentials.Problem) {
	at := argPath(p.Arg)
	switch p.Kind {
	case credentials.IncompleteKeyPair:
		diags.AddAttributeError(at, "Incomplete Access Key Pair", p.Detail)
	case credentials.InvalidOIDC:
		diags.AddAttributeError(at, "Invalid OIDC Settings", p.Detail)
	case credentials.InvalidAssumeRole:
		diags.AddAttributeError(at, "Invalid Assume Role Settings", p.Detail)
	case credentials.ConflictingSources:
		diags.AddAttributeError(at, "Conflicting Credential Sources", p.Detail)
	default:
		diags.AddAttributeError(at, "Invalid Provider Argument", p.Detail)
	}
}

// logIgnoredVariables says, by name only, which variables the provider block's source made the
// provider ignore: the answer to "why is HW_ACCESS_KEY not used?".
func logIgnoredVariables(ctx context.Context, res credentials.Resolution) {
	if len(res.Ignored) == 0 {
		return
	}
	tflog.Info(ctx, fmt.Sprintf("The provider block names the source of the credentials (%s): the environment variables of "+
		"other sources, of an agency the block does not ask for, and HW_DOMAIN_ID are ignored", res.NamedBy),
		map[string]any{"ignored_variables": strings.Join(res.Ignored, ", ")})
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
