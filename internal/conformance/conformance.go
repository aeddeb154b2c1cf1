// Package conformance checks an endpoint against internal/coc/CONTRACT.md, call by call.
package conformance

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// EnvWrite, set to 1, allows the write checks against an endpoint other than the embedded
// simulator.
const EnvWrite = "CONFORMANCE_WRITE"

// target is the endpoint a run checks, and how.
type target struct {
	// name describes the endpoint in the summary.
	name     string
	base     *url.URL
	creds    hwhttp.CredentialsProvider
	domainID string
	// writesOff says why the write checks are off; empty when they are on.
	writesOff string
	apps      []app
	secrets   *hwhttp.Secrets
	client    *http.Client
}

// Main runs the kit as the coc-conformance command does: against the endpoint the HW_* variables
// name (HW_COC_ENDPOINT, or the region's in HW_REGION_NAME), or without either against a
// simulator of its own. It writes the report to stdout and returns the exit code: 0 when the
// endpoint conforms, 1 when it differs, 2 when the kit could not run.
func Main(ctx context.Context, getenv func(string) string, stdout io.Writer) int {
	secrets := new(hwhttp.Secrets)
	// The HW_* variables are read as the provider reads them with an empty provider block.
	cfg, cfgErr := credentials.ConfigFromEnv(getenv)
	var t *target
	var err error
	if cfg.COCEndpoint == "" && cfg.Region == "" {
		var stop func()
		t, _, stop, err = embedded(secrets)
		if err == nil {
			defer stop()
		}
	} else if err = cfgErr; err == nil {
		t, err = remote(getenv, cfg, secrets)
	}
	if err == nil {
		t.apps, err = apps(getenv, randomHex(4), secrets)
	}
	if err != nil {
		return newReport(stdout, secrets).summary("", err)
	}
	return run(ctx, t, stdout)
}

// run checks t: reads, then writes when allowed, then unbinds whatever the run left bound.
func run(ctx context.Context, t *target, stdout io.Writer) int {
	k := &kit{
		ep:     &endpoint{base: t.base, creds: t.creds, domainID: t.domainID, client: t.client, secrets: t.secrets},
		rep:    newReport(stdout, t.secrets),
		writes: t.writesOff == "", writesOff: t.writesOff,
		apps: t.apps,
		made: map[platforms.AppType]string{},
	}
	err := k.reads(ctx)
	if err == nil {
		err = k.writeChecks(ctx)
	}
	k.cleanup()
	return k.rep.summary(t.name, err)
}

func newClient() *http.Client {
	return &http.Client{
		Timeout: requestTimeout,
		// A redirect would carry a signed request to a host nobody chose.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// remote is the endpoint of HW_COC_ENDPOINT, or of the region, with the credentials the HW_*
// variables give the provider (cfg, from ConfigFromEnv).
func remote(getenv func(string) string, cfg credentials.Config, secrets *hwhttp.Secrets) (*target, error) {
	// The kit's own calls are never retried (each check must see the endpoint's first answer);
	// those that obtain its credentials are, as the provider's, HW_MAX_RETRIES times.
	cfg.UserAgent, cfg.Secrets = "coc-conformance", secrets
	chain, err := credentials.New(cfg)
	if err != nil {
		return nil, err
	}
	endpoint, source := cfg.COCEndpoint, credentials.EnvCOCEndpoint
	if endpoint == "" {
		var ok bool
		if endpoint, ok = coc.Endpoints[chain.Region()]; !ok {
			return nil, fmt.Errorf("COC has no known endpoint in region %q (%s): set %s", chain.Region(), credentials.EnvRegion, credentials.EnvCOCEndpoint)
		}
		source = "region " + chain.Region()
	}
	base, err := hwhttp.ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	t := &target{name: fmt.Sprintf("%s (%s, credentials from %s)", base, source, chain), base: base, creds: chain,
		domainID: chain.DomainID(), secrets: secrets, client: newClient()}
	if getenv(EnvWrite) != "1" {
		t.writesOff = "reads only: set " + EnvWrite + "=1 to bind, update and unbind made-up apps"
	}
	return t, nil
}

// embedded starts a simulator of its own on a loopback port, with a tenant of its own, and
// returns it with a function that stops it.
func embedded(secrets *hwhttp.Secrets) (*target, *simulator.Simulator, func(), error) {
	tenant := simulator.Tenant{AccessKey: "CONFORMANCE" + randomHex(6), SecretKey: randomHex(20), DomainID: randomHex(16)}
	secrets.Add(tenant.SecretKey)
	sim := simulator.New([]simulator.Tenant{tenant})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("starting the embedded simulator: %w", err)
	}
	server := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(ln) }() // a server that stops early fails the next call
	base := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	t := &target{name: base.String() + " (the embedded simulator; set " + credentials.EnvCOCEndpoint + " or " + credentials.EnvRegion + " for another endpoint)",
		base: base, creds: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}, domainID: tenant.DomainID,
		secrets: secrets, client: newClient()}
	return t, sim, func() { _ = server.Close() }, nil
}
