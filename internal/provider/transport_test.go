package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// What a user meets when the provider cannot reach COC: a misconfigured endpoint fails at once
// and says what is wrong with which setting; one that may come back is retried max_retries
// times (HW_MAX_RETRIES where the block does not say), and then named with where it came from.
// Counting the connections a listener accepts shows how often the provider tried: none of these
// attempts reaches a handler, so the simulator's request log cannot.

const listBindings = "data \"coc_mobile_apps\" \"all\" {}\n"

// An https:// endpoint in front of the plain-HTTP simulator: the plan that reads (the data
// source) and the plan that creates (which asks whether the platform is free) each fail at their
// first connection, naming endpoint and what to do, and nothing reaches COC.
func TestAccProvider_HTTPSEndpointOnPlainHTTPFailsAtOnce(t *testing.T) {
	pc := platformCaseFor(platforms.Lark)
	cases := []struct {
		name     string
		config   string
		planOnly bool
		summary  string
		again    string
	}{
		{name: "plan", config: listBindings, planOnly: true, summary: "Failed to List Mobile App Bindings", again: "run the command again"},
		{name: "create", config: pc.resourceBlock("this", nil), summary: "Failed to Check Lark App Binding", again: "run the command again"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newSimEnv(t, 1)
			ln := testkit.Listen(t)
			ln.Serve(t, env.sim)
			env.url = "https://" + ln.Addr().String()
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:   env.providerBlock(0, "", "max_retries = 3") + c.config,
					PlanOnly: c.planOnly,
					ExpectError: errorPattern(c.summary, "server gave HTTP response to HTTPS client",
						"The COC endpoint "+env.url+" (from endpoint) cannot work as set: the endpoint speaks plain HTTP, not HTTPS: use http://",
						"No retry can fix this, so the provider made none", "Correct endpoint (or HW_COC_ENDPOINT)", c.again),
				}},
			})
			if n := ln.Accepted(); n != 1 {
				t.Errorf("%d connections, want 1: the provider retried what no retry fixes", n)
			}
			if n := len(env.sim.Requests()); n != 0 {
				t.Errorf("%d requests reached COC", n)
			}
		})
	}
}

// HW_MAX_RETRIES sets max_retries where the provider block does not, within the argument's
// range: 0 makes a failing connection fail at its first attempt. The endpoint comes from
// HW_COC_ENDPOINT here, and the message says so.
func TestAccProvider_MaxRetriesFromEnvironment(t *testing.T) {
	cases := []struct {
		name, env, block string
		// attempts is how many connections the provider makes; 0 for a configuration refused
		// before any.
		attempts int
		want     []string
	}{
		{name: "zero", env: "0", attempts: 1, want: []string{"after its retries (max_retries = 0)"}},
		{name: "two", env: "2", attempts: 3, want: []string{"after its retries (max_retries = 2)"}},
		{name: "unset", env: "", attempts: 6, want: []string{"after its retries (max_retries = 5)"}},
		{name: "the block wins", env: "0", block: "max_retries = 1", attempts: 2, want: []string{"after its retries (max_retries = 1)"}},
		{name: "out of range", env: "21", want: []string{"Invalid Provider Argument", "max_retries", "HW_MAX_RETRIES", `"21"`, "from 0 to 20"}},
		{name: "not a number", env: "five", want: []string{"Invalid Provider Argument", "max_retries", "HW_MAX_RETRIES", `"five"`, "from 0 to 20"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newSimEnv(t, 1)
			ln := testkit.Listen(t)
			ln.HangUp()
			endpoint := "http://" + ln.Addr().String()
			t.Setenv(envEndpoint, endpoint)
			t.Setenv(envMaxRetries, c.env)
			tenant := env.tenants[0]
			config := fmt.Sprintf("provider \"coc\" {\n  access_key = %q\n  secret_key = %q\n  %s\n}\n", tenant.AccessKey, tenant.SecretKey, c.block)
			want := c.want
			if c.attempts > 0 {
				want = append([]string{"Failed to List Mobile App Bindings", "could not reach COC at " + endpoint + " (from HW_COC_ENDPOINT)"}, want...)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: config + listBindings, PlanOnly: true, ExpectError: errorPattern(want...)}},
			})
			if n := ln.Accepted(); n != c.attempts {
				t.Errorf("%d connections, want %d", n, c.attempts)
			}
		})
	}
}

// A refresh that meets a refused connection (a port typo) is retried, then fails the plan with
// the endpoint and where it came from, and says to run the command again: a plan is not fixed
// by an apply.
func TestAccProvider_RefusedConnectionFailsThePlanNamingTheEndpoint(t *testing.T) {
	pc := platformCaseFor(platforms.Lark)
	env := newSimEnv(t, 1)
	resourceBlock := pc.resourceBlock("this", nil)
	good := env.providerBlock(0, "", "max_retries = 2") + resourceBlock
	refused := &simEnv{url: "http://" + testkit.ClosedPort(t), tenants: env.tenants}
	typo := refused.providerBlock(0, "", "max_retries = 2") + resourceBlock
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: good},
			{Config: typo, PlanOnly: true, ExpectError: errorPattern("Failed to Read Lark App Binding", "connection refused",
				"The provider could not reach COC at "+refused.url+" (from endpoint), after its retries (max_retries = 2)",
				"endpoint (HW_COC_ENDPOINT) or region (HW_REGION_NAME)", "Nothing was left half-done: run the command again.")},
			{Config: typo, PlanOnly: true, ExpectError: negativePattern("terraform apply")},
			// Back to the right endpoint, nothing changed: the destroy that ends the test reaches COC.
			{Config: good, PlanOnly: true},
		},
	})
}
