package coc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// clientAt returns a client of the COC endpoint url with the test tenant's key pair.
func clientAt(t *testing.T, url string, maxRetries int) *coc.Client {
	t.Helper()
	client, err := coc.NewClient(coc.Config{
		Endpoint:    url,
		Credentials: hwhttp.Credentials{AccessKey: testTenant.AccessKey, SecretKey: testTenant.SecretKey},
		MaxRetries:  maxRetries,
		Backoff:     fastBackoff,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// An https:// endpoint in front of a plain-HTTP server fails every call at its first connection,
// whatever max_retries says: no retry can fix it. A create so failed sent nothing, so it neither
// reads back nor reports an outcome it does not know.
func TestEndpointSpeakingPlainHTTPFailsEachCallAtOnce(t *testing.T) {
	ln := testkit.Listen(t)
	sim := simulator.New([]simulator.Tenant{testTenant})
	ln.Serve(t, sim)
	client := clientAt(t, "https://"+ln.Addr().String(), 3)
	ctx := context.Background()
	calls := map[string]func() error{
		"GET": func() error { _, err := client.GetBinding(ctx, platforms.Lark); return err },
		"list": func() error {
			_, err := client.ListBindings(ctx, coc.ListOptions{})
			return err
		},
		"PUT":    func() error { _, err := client.UpdateBinding(ctx, platforms.WeCom, wecomRequest("key-1")); return err },
		"DELETE": func() error { return client.DeleteBinding(ctx, platforms.WeCom, "ww0123456789abcdef") },
		"POST":   func() error { _, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("key-1")); return err },
	}
	for name, call := range calls {
		before := ln.Accepted()
		err := call()
		var transportErr *coc.TransportError
		if !errors.As(err, &transportErr) || !strings.Contains(hwhttp.TransportProblem(err), "plain HTTP") {
			t.Errorf("%s: err = %v, want a transport error that says the endpoint speaks plain HTTP", name, err)
		}
		if errors.Is(err, coc.ErrOutcomeUnknown) {
			t.Errorf("%s: err = %v; nothing was sent, so the outcome is known", name, err)
		}
		if n := ln.Accepted() - before; n != 1 {
			t.Errorf("%s: %d connections, want 1", name, n)
		}
	}
	if n := len(sim.Requests()); n != 0 {
		t.Fatalf("%d requests reached the simulator", n)
	}
}

// A server that drops every connection is tried max_retries + 1 times by a read.
func TestDroppedConnectionsAreRetriedMaxRetriesTimes(t *testing.T) {
	for _, maxRetries := range []int{0, 2} {
		ln := testkit.Listen(t)
		ln.HangUp()
		client := clientAt(t, "http://"+ln.Addr().String(), maxRetries)
		_, err := client.GetBinding(context.Background(), platforms.Lark)
		var transportErr *coc.TransportError
		if !errors.As(err, &transportErr) || hwhttp.TransportProblem(err) != "" {
			t.Errorf("max_retries %d: err = %v, want a transport error that may pass", maxRetries, err)
		}
		if n := ln.Accepted(); n != maxRetries+1 {
			t.Errorf("max_retries %d: %d connections, want %d", maxRetries, n, maxRetries+1)
		}
	}
}
