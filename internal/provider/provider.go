// Package provider implements the coc Terraform provider: the COC mobile-app bindings as
// resources, driven by one shared implementation and a short description per platform.
package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

// Environment variables, named as the huaweicloud provider names them so users can reuse theirs.
//
//nolint:gosec // G101: these are variable names, not credentials.
const (
	envRegion        = "HW_REGION_NAME"
	envAccessKey     = "HW_ACCESS_KEY"
	envSecretKey     = "HW_SECRET_KEY"
	envSecurityToken = "HW_SECURITY_TOKEN"
	envDomainID      = "HW_DOMAIN_ID"
	envEndpoint      = "HW_COC_ENDPOINT"
	defaultRegion    = "cn-north-4"
)

// maxCredentialLength bounds the secret key and the security token; temporary security tokens
// run to a few kilobytes.
const maxCredentialLength = 16 << 10

var (
	_ provider.Provider                  = &cocProvider{}
	_ provider.ProviderWithListResources = &cocProvider{}
)

type cocProvider struct {
	version string
	// configure builds the client; tests replace it to tune retry timing.
	configure func(coc.Config) (*coc.Client, error)
}

// New returns the provider factory the plugin server and the tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &cocProvider{version: version, configure: coc.NewClient} }
}

type providerModel struct {
	Region        types.String `tfsdk:"region"`
	AccessKey     types.String `tfsdk:"access_key"`
	SecretKey     types.String `tfsdk:"secret_key"`
	SecurityToken types.String `tfsdk:"security_token"`
	DomainID      types.String `tfsdk:"domain_id"`
	Endpoint      types.String `tfsdk:"endpoint"`
	MaxRetries    types.Int64  `tfsdk:"max_retries"`
}

// providerData is what resources and data sources receive from Configure.
type providerData struct {
	client *coc.Client
	// credentials are masked in every log line the provider writes.
	credentials []string
}

func (p *cocProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "coc"
	resp.Version = p.version
}

func (p *cocProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	regions := knownRegions()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the mobile app bindings (WeCom, DingTalk, Lark) of Huawei Cloud COC (Cloud Operations Center). " +
			"Every argument falls back to the environment variable the `huaweicloud` provider uses.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The region whose COC endpoint to use: one of %s. Falls back to `%s`, then `%s`. "+
					"Any other region needs `endpoint`.", quoteAll(regions), envRegion, defaultRegion),
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), printableNoSpace},
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("The access key (AK) that signs requests. Falls back to `%s`.", envAccessKey),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), printableNoSpace},
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: fmt.Sprintf("The secret key (SK) that signs requests. Falls back to `%s`.", envSecretKey),
				Validators:          []validator.String{validators.Secret(1, maxCredentialLength)},
			},
			"security_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: fmt.Sprintf("The security token of a temporary access key. Falls back to `%s`.", envSecurityToken),
				// Empty means none, so that a variable defaulting to "" works for permanent keys.
				Validators: []validator.String{validators.Secret(0, maxCredentialLength)},
			},
			"domain_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("The account (domain) ID, sent as `X-Domain-Id`. Falls back to `%s`.", envDomainID),
				Validators:          []validator.String{printableNoSpace},
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The COC API base URL, overriding the region's endpoint (for example the simulator's "+
					"`http://127.0.0.1:18080`). Falls back to `%s`.", envEndpoint),
				Validators: []validator.String{validators.Endpoint()},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How often a request that failed for a transient reason (connection error, throttling, "+
					"server fault) is retried. Defaults to `%d`.", coc.DefaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
		},
	}
}

func (p *cocProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resolve := func(attr string, v types.String, env string) string {
		switch {
		case v.IsUnknown():
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown Provider Argument",
				fmt.Sprintf("The provider's %s is not known until apply, but the provider must be configured to plan. "+
					"Set it to a value known at plan time, or use the %s environment variable.", attr, env))
			return ""
		case v.IsNull():
			return os.Getenv(env)
		default:
			return v.ValueString()
		}
	}
	region := resolve("region", cfg.Region, envRegion)
	accessKey := resolve("access_key", cfg.AccessKey, envAccessKey)
	secretKey := resolve("secret_key", cfg.SecretKey, envSecretKey)
	token := resolve("security_token", cfg.SecurityToken, envSecurityToken)
	domainID := resolve("domain_id", cfg.DomainID, envDomainID)
	endpoint := resolve("endpoint", cfg.Endpoint, envEndpoint)
	if resp.Diagnostics.HasError() {
		return
	}

	for _, c := range []struct {
		attr, env, value, what string
		required               bool
	}{
		{"access_key", envAccessKey, accessKey, "access key (AK)", true},
		{"secret_key", envSecretKey, secretKey, "secret key (SK)", true},
		{"security_token", envSecurityToken, token, "security token", false},
		{"domain_id", envDomainID, domainID, "domain ID", false},
		{"region", envRegion, region, "region", false},
	} {
		if c.required && c.value == "" {
			resp.Diagnostics.AddAttributeError(path.Root(c.attr), "Missing COC Credentials",
				fmt.Sprintf("The provider needs an %s to sign requests. Set %s in the provider block or the %s environment variable.",
					c.what, c.attr, c.env))
		}
		// The schema checks the provider block; this catches the same mistakes in the environment,
		// where a value read from a file often ends in a line break. The value is not shown.
		if i := strings.IndexFunc(c.value, func(r rune) bool { return r <= ' ' || r > '~' }); i >= 0 {
			resp.Diagnostics.AddAttributeError(path.Root(c.attr), "Invalid Provider Argument",
				fmt.Sprintf("The value of %s (from the provider block or the %s environment variable) has a space, a line break, a control "+
					"character or a non-ASCII character at byte %d. (The value is not shown.) Set it again without surrounding whitespace.",
					c.attr, c.env, i+1))
		}
	}
	if region == "" {
		region = defaultRegion
	}
	if endpoint == "" {
		known, ok := coc.Endpoints[region]
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root("region"), "Unknown COC Region",
				fmt.Sprintf("COC has no known endpoint in region %q (from region or %s). Use one of %s, or set endpoint (or %s) to the COC API base URL.",
					region, envRegion, strings.Join(knownRegions(), ", "), envEndpoint))
		}
		endpoint = known
	} else if _, err := coc.ParseEndpoint(endpoint); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid COC Endpoint",
			fmt.Sprintf("%s (from endpoint or %s). Use an absolute URL such as https://coc.myhuaweicloud.com.", err, envEndpoint))
	}
	if resp.Diagnostics.HasError() {
		return
	}

	maxRetries := int64(coc.DefaultMaxRetries)
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		maxRetries = cfg.MaxRetries.ValueInt64()
	}
	client, err := p.configure(coc.Config{
		Endpoint:    endpoint,
		Credentials: coc.Credentials{AccessKey: accessKey, SecretKey: secretKey, SecurityToken: token},
		DomainID:    domainID,
		UserAgent:   fmt.Sprintf("terraform-provider-coc/%s terraform/%s", p.version, req.TerraformVersion),
		MaxRetries:  int(maxRetries),
		Logger:      tflogLogger{},
	})
	if err != nil {
		resp.Diagnostics.AddError("Invalid Provider Configuration",
			fmt.Sprintf("The provider could not set up its COC client: %s. Check the provider arguments and the HW_* environment "+
				"variables; if they look right, this is a bug in the provider: please report it.", err))
		return
	}
	data := &providerData{client: client, credentials: nonEmpty(secretKey, token)}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// apps describes every platform; each description is served as a resource and a list resource.
var apps = []appDescription{wecomApp, dingtalkApp, larkApp}

func (p *cocProvider) Resources(context.Context) []func() resource.Resource {
	out := make([]func() resource.Resource, len(apps))
	for i, app := range apps {
		out[i] = func() resource.Resource { return newAppResource(app) }
	}
	return out
}

func (p *cocProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewMobileAppsDataSource}
}

func (p *cocProvider) ListResources(context.Context) []func() list.ListResource {
	out := make([]func() list.ListResource, len(apps))
	for i, app := range apps {
		out[i] = func() list.ListResource { return newAppListResource(app) }
	}
	return out
}

func knownRegions() []string {
	regions := make([]string, 0, len(coc.Endpoints))
	for r := range coc.Endpoints {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	return regions
}

func quoteAll(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("`%s`", v)
	}
	return strings.Join(quoted, ", ")
}

func nonEmpty(values ...string) []string {
	return slices.DeleteFunc(values, func(v string) bool { return v == "" })
}
