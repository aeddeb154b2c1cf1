// Package provider implements the coc Terraform provider: the COC mobile-app bindings as
// resources, driven by one shared implementation and a short description per platform.
package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
)

var (
	_ provider.Provider                  = &cocProvider{}
	_ provider.ProviderWithListResources = &cocProvider{}
)

type cocProvider struct {
	version string
	// backoff paces the retries of COC, IAM, metadata and platform calls; zero takes coc's
	// defaults, and tests shorten it.
	backoff hwhttp.Backoff
	// verified remembers, for the life of the process, the app credentials platforms accepted,
	// and verdicts what the platforms said of bindings' readiness.
	verified appcheck.Memory
	verdicts readiness.Cache
}

// New returns the provider factory the plugin server and the tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &cocProvider{version: version} }
}

func (p *cocProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "coc"
	resp.Version = p.version
}

func (p *cocProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
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
	readinessMode := s.readiness(cfg)
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
		resp.Diagnostics.Append(chainNotSetUp(creds, err))
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
			resp.Diagnostics.Append(unknownRegion(chain.Region()))
			return
		}
		endpoint = known
	} else if _, err := hwhttp.ParseEndpoint(endpoint); err != nil {
		resp.Diagnostics.Append(invalidEndpoint(path.Root("endpoint"), "COC", envEndpoint, "https://coc.myhuaweicloud.com", err))
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
		resp.Diagnostics.Append(invalidConfiguration("its COC client", err))
		return
	}
	logger.Debug(ctx, "Configured the COC client", map[string]any{"endpoint": endpoint, "credentials": chain.String(), "x_domain_id": chain.DomainID()})
	data := &providerData{client: client, credentials: chain, secrets: secrets,
		reach: reach{endpoint: endpoint, region: chain.Region(), endpointFrom: endpointFrom, maxRetries: maxRetries, credentials: chain.String()}}
	var apps *appcheck.Checker
	if verify || readinessMode != readiness.Off {
		apps, err = newAppChecker(ctx, appcheck.Config{Endpoints: platformEndpoints, MaxRetries: maxRetries, Backoff: p.backoff,
			UserAgent: userAgent, Passed: &p.verified, Secrets: secrets}, logger)
		if err != nil {
			// The schema's validators accept only what the checker accepts.
			resp.Diagnostics.Append(invalidPlatformEndpoints(err))
			return
		}
	}
	if verify {
		data.checker = apps
	}
	// New fails only on a mode the schema and ParseMode refused, or without apps, built above.
	if data.readiness, err = readiness.New(readiness.Config{Mode: readinessMode, Apps: apps, Cache: &p.verdicts, Logger: logger}); err != nil {
		resp.Diagnostics.Append(invalidConfiguration("its war room readiness checks", err))
		return
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
