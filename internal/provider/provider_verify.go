package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

// The provider arguments that turn on the check of app credentials with their platforms
// (app_verify.go does the checking), and the checker Configure builds from them.

// The arguments' names, and the variable that turns the check on (or off) where the provider
// block does not say.
//
//nolint:gosec // G101: names, not credentials.
const (
	attrVerifyAppCredentials = "verify_app_credentials"
	attrPlatformEndpoints    = "platform_endpoints"
	envVerifyAppCredentials  = "COC_VERIFY_APP_CREDENTIALS"
)

// verificationAttributes are the provider arguments of the check.
func verificationAttributes() map[string]schema.Attribute {
	endpoints := map[string]schema.Attribute{}
	for _, pl := range platforms.All() {
		def := pl.Token.Endpoint
		endpoints[string(pl.AppType)] = schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("The %s API base URL that the secrets of `coc_%s_app` are checked at. Defaults to `%s`.",
				pl.Name, pl.AppType, def),
			Validators: []validator.String{validators.PlatformEndpoint(pl.Name, def)},
		}
	}
	return map[string]schema.Attribute{
		attrVerifyAppCredentials: schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Check every app secret that a plan will send to COC with the app's platform (%s) while "+
				"planning: the provider asks the platform for an access token with the app's ID and the secret, as COC does before "+
				"it opens a war room. A secret the platform rejects fails the plan, on its argument and in the platform's words, and "+
				"COC receives nothing. A secret known only at apply is checked during the apply, before it is sent. The provider "+
				"must reach the platforms over HTTPS (see `%s`). Falls back to `%s`; defaults to `false`.",
				strings.Join(platformNames(), ", "), attrPlatformEndpoints, envVerifyAppCredentials),
		},
		attrPlatformEndpoints: schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Where `%s` asks the platforms: for Lark outside China (Lark Suite), whose apps are checked "+
				"at `https://open.larksuite.com`, a proxy, or the simulator. Each must be an `https://` URL, or `http://` on a loopback "+
				"address.", attrVerifyAppCredentials),
			Attributes: endpoints,
		},
	}
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
			s.diags.AddAttributeError(p, "Unknown Provider Argument", fmt.Sprintf("The provider's %s is not known until apply, but the "+
				"provider must be configured to plan. Set it to a value known at plan time.", p))
		case !v.IsNull():
			endpoints[pl.AppType] = v.ValueString()
		}
	}
	return on, endpoints
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
		s.diags.AddAttributeError(p, "Invalid Provider Argument",
			fmt.Sprintf("The %s environment variable, which sets %s, is %q: neither true nor false. Set it to one of them, or unset it.", env, p, raw))
	}
	return b
}

// newAppChecker builds the checker of app credentials, which makes no call until a plan needs
// it. The provider's memory of accepted credentials outlives the checker: Terraform configures
// the provider anew for each command, and terraform-plugin-testing runs them all with one
// provider instance.
func (p *cocProvider) newAppChecker(ctx context.Context, endpoints map[platforms.AppType]string, maxRetries int, logger tflogLogger, userAgent string,
	secrets *hwhttp.Secrets) (*appcheck.Checker, error) {
	checker, err := appcheck.New(appcheck.Config{Endpoints: endpoints, MaxRetries: maxRetries, Backoff: p.backoff, Logger: logger,
		UserAgent: userAgent, Passed: &p.verified, Secrets: secrets})
	if err != nil {
		return nil, err
	}
	fields := map[string]any{}
	for _, pl := range platforms.All() {
		fields[string(pl.AppType)] = checker.Endpoint(pl.AppType)
	}
	logger.Debug(ctx, "App credentials will be checked with their platforms", fields)
	return checker, nil
}
