// Package provider implements the coc Terraform provider: the COC mobile-app bindings as
// resources, driven by one shared implementation and a short description per platform.
package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Environment variables: credentials declares them, so that the provider and the conformance kit
// read the same ones.
const (
	envRegion                   = credentials.EnvRegion
	envAccessKey                = credentials.EnvAccessKey
	envSecretKey                = credentials.EnvSecretKey
	envSecurityToken            = credentials.EnvSecurityToken
	envDomainID                 = credentials.EnvDomainID
	envEndpoint                 = credentials.EnvCOCEndpoint
	envMaxRetries               = credentials.EnvMaxRetries
	envIAMEndpoint              = credentials.EnvIAMEndpoint
	envMetadataEndpoint         = credentials.EnvMetadataEndpoint
	envSharedConfigFile         = credentials.EnvSharedConfigFile
	envProfile                  = credentials.EnvProfile
	envAssumeRoleAgency         = credentials.EnvAssumeRoleAgency
	envAssumeRoleDomainName     = credentials.EnvAssumeRoleDomainName
	envAssumeRoleDomainID       = credentials.EnvAssumeRoleDomainID
	envAssumeRoleDuration       = credentials.EnvAssumeRoleDuration
	envIdpID                    = credentials.EnvIdpID
	envIDToken                  = credentials.EnvIDToken
	envIDTokenFile              = credentials.EnvIDTokenFile
	envHCPWorkloadIdentityToken = credentials.EnvHCPWorkloadIdentityToken
)

// maxCredentialLength bounds the secret key, the security token and the identity token;
// temporary security tokens run to a few kilobytes.
const maxCredentialLength = 16 << 10

var (
	_ provider.Provider                  = &cocProvider{}
	_ provider.ProviderWithListResources = &cocProvider{}
)

type cocProvider struct {
	version string
	// backoff paces the retries of COC, IAM, metadata and platform calls; zero takes coc's
	// defaults, and tests shorten it.
	backoff hwhttp.Backoff
	// verified remembers, for the life of the process, the app credentials platforms accepted.
	verified appcheck.Memory
}

// New returns the provider factory the plugin server and the tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &cocProvider{version: version} }
}

type providerModel struct {
	Region             types.String     `tfsdk:"region"`
	AccessKey          types.String     `tfsdk:"access_key"`
	SecretKey          types.String     `tfsdk:"secret_key"`
	SecurityToken      types.String     `tfsdk:"security_token"`
	DomainID           types.String     `tfsdk:"domain_id"`
	Endpoint           types.String     `tfsdk:"endpoint"`
	IAMEndpoint        types.String     `tfsdk:"iam_endpoint"`
	SharedConfigFile   types.String     `tfsdk:"shared_config_file"`
	Profile            types.String     `tfsdk:"profile"`
	MaxRetries         types.Int64      `tfsdk:"max_retries"`
	AssumeRole         *assumeRoleModel `tfsdk:"assume_role"`
	AssumeRoleWithOIDC *oidcModel       `tfsdk:"assume_role_with_oidc"`

	VerifyAppCredentials types.Bool   `tfsdk:"verify_app_credentials"`
	PlatformEndpoints    types.Object `tfsdk:"platform_endpoints"`
}

type assumeRoleModel struct {
	AgencyName types.String `tfsdk:"agency_name"`
	DomainName types.String `tfsdk:"domain_name"`
	DomainID   types.String `tfsdk:"domain_id"`
	Duration   types.Int64  `tfsdk:"duration"`
}

type oidcModel struct {
	IdpID       types.String `tfsdk:"idp_id"`
	IDToken     types.String `tfsdk:"id_token"`
	IDTokenFile types.String `tfsdk:"id_token_file"`
	AgencyName  types.String `tfsdk:"agency_name"`
	DomainID    types.String `tfsdk:"domain_id"`
	Duration    types.Int64  `tfsdk:"duration"`
}

// providerData is what resources and data sources receive from Configure: one provider
// instance's client and credentials, shared by its resources and by nobody else.
type providerData struct {
	client *coc.Client
	// credentials are what the client signs with: obtained on first need, then renewed.
	credentials *credentials.Chain
	// secrets is the registry of every secret the provider instance has handled so far, masked
	// in every log line and scrubbed from every error.
	secrets *hwhttp.Secrets
	// checker checks app credentials with their platforms; nil unless verify_app_credentials.
	checker *appcheck.Checker
	// endpoint and region are what the client calls, for the errors that must name them;
	// endpointFrom names what set the URL ("endpoint" or HW_COC_ENDPOINT), "" for the region.
	endpoint, region, endpointFrom string
	// maxRetries is how often a failing request is retried, for the errors that report it.
	maxRetries int
	// creates is what this instance's creates did.
	creates createsInRun
}

func (p *cocProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "coc"
	resp.Version = p.version
}

// Configure reads the arguments, picks the credentials' source and builds the client. It reads
// a KooCLI profile at most: IAM and the metadata service are called on first need.
func (p *cocProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s := settings{diags: &resp.Diagnostics}
	resolved := s.credentials(cfg)
	verify, platformEndpoints := s.verification(cfg)
	if resp.Diagnostics.HasError() {
		return
	}
	logIgnoredVariables(ctx, resolved)

	// One registry of secrets for the provider instance: the chain, the clients and the log
	// masks add to it and read it.
	secrets := new(hwhttp.Secrets)
	logger := tflogLogger{secrets: secrets}
	userAgent := fmt.Sprintf("terraform-provider-coc/%s terraform/%s", p.version, req.TerraformVersion)
	creds := resolved.Config
	endpoint, maxRetries := creds.COCEndpoint, creds.MaxRetries
	creds.Backoff, creds.Logger, creds.UserAgent, creds.Secrets = p.backoff, logger, userAgent, secrets
	chain, err := credentials.New(creds)
	if err != nil {
		addChainError(&resp.Diagnostics, creds, err)
		return
	}
	endpointFrom := ""
	switch {
	case endpoint != "" && cfg.Endpoint.IsNull():
		endpointFrom = envEndpoint
	case endpoint != "":
		endpointFrom = "endpoint"
	}
	if endpoint == "" {
		known, ok := coc.Endpoints[chain.Region()]
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root("region"), "Unknown COC Region",
				fmt.Sprintf("COC has no known endpoint in region %q (from region, %s or the profile). Use one of %s, or set endpoint "+
					"(or %s) to the COC API base URL.", chain.Region(), envRegion, strings.Join(knownRegions(), ", "), envEndpoint))
			return
		}
		endpoint = known
	} else if _, err := hwhttp.ParseEndpoint(endpoint); err != nil {
		addEndpointError(&resp.Diagnostics, path.Root("endpoint"), "COC", envEndpoint, "https://coc.myhuaweicloud.com", err)
		return
	}

	client, err := coc.NewClient(coc.Config{
		Endpoint:    endpoint,
		Principal:   chain.Principal(),
		Credentials: chain,
		Secrets:     secrets,
		DomainID:    chain.DomainID(),
		UserAgent:   userAgent,
		MaxRetries:  maxRetries,
		Backoff:     p.backoff,
		Logger:      logger,
	})
	if err != nil {
		resp.Diagnostics.AddError("Invalid Provider Configuration",
			fmt.Sprintf("The provider could not set up its COC client: %s. Check the provider arguments and the HW_* environment "+
				"variables; if they look right, this is a bug in the provider: please report it.", err))
		return
	}
	logger.Debug(ctx, "Configured the COC client", map[string]any{"endpoint": endpoint, "credentials": chain.String(), "x_domain_id": chain.DomainID()})
	data := &providerData{client: client, credentials: chain, secrets: secrets, endpoint: endpoint, region: chain.Region(),
		endpointFrom: endpointFrom, maxRetries: maxRetries}
	if verify {
		if data.checker, err = p.newAppChecker(ctx, platformEndpoints, maxRetries, logger, userAgent, secrets); err != nil {
			// The schema's validators accept only what the checker accepts.
			resp.Diagnostics.AddAttributeError(path.Root(attrPlatformEndpoints), "Invalid Provider Configuration",
				fmt.Sprintf("The provider could not set up the check of app credentials: %s.", err))
			return
		}
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// Resources serves each platform's description as a resource.
func (p *cocProvider) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, pl := range platforms.All() {
		out = append(out, func() resource.Resource { return newAppResource(pl) })
	}
	return out
}

func (p *cocProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewMobileAppsDataSource}
}

// ListResources serves each platform's description as a list resource too.
func (p *cocProvider) ListResources(context.Context) []func() list.ListResource {
	var out []func() list.ListResource
	for _, pl := range platforms.All() {
		out = append(out, func() list.ListResource { return newAppListResource(pl) })
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
