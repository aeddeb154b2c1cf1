package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
)

// settings reads the provider's arguments and reports what is wrong with them on the argument's
// path. The schema has checked the provider block; these checks cover what comes from the
// environment, and combinations of both.
type settings struct{ diags *diag.Diagnostics }

func (s settings) unknown(p path.Path, env string) {
	s.diags.Append(unknownArgument(p, env))
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
		s.diags.Append(credentialProblem(argPath(p.Arg), p))
	}
	c := res.Config
	if c.IAMEndpoint != "" {
		if _, err := hwhttp.ParseEndpoint(c.IAMEndpoint); err != nil {
			s.diags.Append(invalidEndpoint(path.Root("iam_endpoint"), "IAM", envIAMEndpoint, credentials.IAMEndpoint(credentials.DefaultRegion), err))
		}
	}
	if c.MetadataEndpoint != "" {
		if _, err := hwhttp.ParseEndpoint(c.MetadataEndpoint); err != nil {
			s.diags.Append(invalidEndpoint(path.Empty(), "Metadata", envMetadataEndpoint, credentials.DefaultMetadataEndpoint, err))
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

// verification reads verify_app_credentials, or its variable, and the endpoints of the
// platforms that platform_endpoints sets.
func (s settings) verification(cfg providerModel) (bool, map[platforms.AppType]string) {
	on := s.boolean(path.Root(attrVerifyAppCredentials), cfg.VerifyAppCredentials, envVerifyAppCredentials)
	endpoints := map[platforms.AppType]string{}
	configured := cfg.PlatformEndpoints.Attributes()
	for _, pl := range platforms.All() {
		p := path.Root(attrPlatformEndpoints).AtName(string(pl.AppType))
		v, _ := configured[string(pl.AppType)].(types.String) // absent with the whole object: null
		switch {
		case cfg.PlatformEndpoints.IsUnknown() || v.IsUnknown():
			s.diags.Append(unknownArgument(p, ""))
		case !v.IsNull():
			endpoints[pl.AppType] = v.ValueString()
		}
	}
	return on, endpoints
}

// readiness reads war_room_readiness, or its variable where the block does not set it.
func (s settings) readiness(cfg providerModel) readiness.Mode {
	p, v := path.Root(attrWarRoomReadiness), cfg.WarRoomReadiness
	switch {
	case v.IsUnknown():
		s.unknown(p, envWarRoomReadiness)
		return readiness.Off
	case !v.IsNull():
		m, _ := readiness.ParseMode(v.ValueString()) // the schema accepts only the modes
		return m
	}
	raw := os.Getenv(envWarRoomReadiness)
	m, err := readiness.ParseMode(raw)
	if err != nil {
		s.diags.Append(invalidVariable(p, envWarRoomReadiness, raw, err))
	}
	return m
}

// boolean returns the argument at p, or its variable env (true or false) when the argument is
// null; false when neither is set.
func (s settings) boolean(p path.Path, v types.Bool, env string) bool {
	switch {
	case v.IsUnknown():
		s.unknown(p, env)
		return false
	case !v.IsNull():
		return v.ValueBool()
	}
	raw := os.Getenv(env)
	if raw == "" {
		return false
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		s.diags.Append(invalidBooleanVariable(p, env, raw))
	}
	return b
}

// newAppChecker builds the client of the platforms that verify_app_credentials and
// war_room_readiness share, which makes no call until a plan needs it. The provider's memory of
// accepted credentials and verdicts outlives it: Terraform configures the provider anew for each
// command, and terraform-plugin-testing runs them all with one provider instance.
func newAppChecker(ctx context.Context, cfg appcheck.Config, logger tflogLogger) (*appcheck.Checker, error) {
	cfg.Logger = logger
	checker, err := appcheck.New(cfg)
	if err != nil {
		return nil, err
	}
	fields := map[string]any{}
	for _, pl := range platforms.All() {
		fields[string(pl.AppType)] = checker.Endpoint(pl.AppType)
	}
	logger.Debug(ctx, "Bindings will be checked with their platforms", fields)
	return checker, nil
}
