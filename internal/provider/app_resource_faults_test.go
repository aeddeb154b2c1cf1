package provider

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Throttling (429 with Retry-After) on every kind of call is absorbed by retries: the user sees
// a normal apply, refresh and destroy.
func TestAccAppResource_Throttled(t *testing.T) {
	pc := platformCaseFor(platforms.WeCom)
	env := newSimEnv(t, 1)
	for _, method := range []string{"POST", "GET", "PUT", "DELETE"} {
		if err := env.sim.InjectFault(simulator.Fault{Method: method, Status: 429, RetryAfter: 1, Times: 2}); err != nil {
			t.Fatal(err)
		}
	}
	config := env.providerBlock(0, "") + pc.resourceBlock("this", nil)
	rotated := env.providerBlock(0, "") + pc.resourceBlock("this", map[string]string{"enterprise_key": `"rotated-while-throttled"`})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			for _, f := range env.sim.Faults() {
				if f.Fired != f.Times {
					return fmt.Errorf("fault %+v fired %d times, want %d", f.Fault, f.Fired, f.Times)
				}
			}
			if len(env.bindings(t, 0)) != 0 {
				return fmt.Errorf("binding left after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config},
			{Config: rotated, Check: env.expectFingerprints(pc, map[string]string{"enterprise_key": "rotated-while-throttled"})},
		},
	})
}

// When COC commits a write but the connection drops before the answer arrives, the provider
// ends up exactly where the configuration says, without a second binding and without showing
// the user a 409: a lost POST is sent again with its idempotency key, and COC answers it as it
// did the first; a lost PUT is repeated; a lost DELETE is repeated, meets 404, and counts as
// done. The plan after each step is empty.
func TestAccAppResource_AnswersLostAfterCommit(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			path := "/v1/mobile-apps/" + string(pc.appType)
			dropAfterCommit := func(method string) {
				env.sim.ClearRequests()
				if err := env.sim.InjectFault(simulator.Fault{Method: method, Drop: simulator.DropAfterCommit, Times: 1}); err != nil {
					t.Fatal(err)
				}
			}
			rotated := map[string]string{}
			for s, v := range pc.secretValues("2") {
				rotated[s] = strconv.Quote(v)
			}
			dropAfterCommit(http.MethodPost)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					if len(env.bindings(t, 0)) != 0 {
						return fmt.Errorf("binding left after destroy")
					}
					return env.expectWrites("DELETE "+path+" 0", "DELETE "+path+" 404")(nil)
				},
				Steps: []resource.TestStep{
					{
						Config: env.providerBlock(0, "") + pc.resourceBlock("this", nil),
						Check: resource.ComposeAggregateTestCheckFunc(
							// The plan asks whether the platform is free, and terraform apply plans once more.
							env.expectCalls("GET "+path+" 404", "GET "+path+" 404", "POST "+path+" dropped", "POST "+path+" 201"),
							env.expectOneBinding(pc),
							env.expectFingerprints(pc, pc.secretValues("1")),
							func(*terraform.State) error { dropAfterCommit(http.MethodPut); return nil },
						),
					},
					{
						Config: env.providerBlock(0, "") + pc.resourceBlock("this", rotated),
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("PUT "+path+" 0", "PUT "+path+" 200"),
							env.expectOneBinding(pc),
							env.expectFingerprints(pc, pc.secretValues("2")),
							func(*terraform.State) error { dropAfterCommit(http.MethodDelete); return nil },
						),
					},
				},
			})
		})
	}
}

// After a failed POST, a binding that appeared meanwhile is somebody else's: the provider reports
// the conflict with the bound identifier and never adopts or overwrites it.
func TestAccAppResource_UnknownOutcomeDoesNotAdoptAnotherBinding(t *testing.T) {
	pc := platformCaseFor(platforms.Lark)
	env := newSimEnv(t, 1)
	theirs := fmt.Sprintf(`{%q:%q,"app_secret":"their-secret","service_id":"theirs"}`, pc.platform.Identifier.Name, pc.ids[1])
	// Somebody binds their app on the console as the POST fails with a 500, as if it might have
	// committed.
	meanwhile := func(r *http.Request) {
		if r.Method == http.MethodPost && len(env.bindings(t, 0)) == 0 {
			if err := env.sim.ConsoleBind(env.tenants[0].AccessKey, pc.appType, []byte(theirs)); err != nil {
				t.Error(err)
			}
		}
	}
	env.meanwhile.Store(&meanwhile)
	if err := env.sim.InjectFault(simulator.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, Times: 1}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      env.providerBlock(0, "") + pc.resourceBlock("this", nil),
			ExpectError: errorPattern("Lark App Already Bound", pc.ids[1], "terraform import "+pc.typeName+".<name> "+pc.ids[1]),
		}},
	})
	if got := env.bindings(t, 0)[pc.appType]; got.Identifier() != pc.ids[1] || got.Fingerprints["app_secret"] != simulator.Fingerprint("their-secret") {
		t.Fatalf("their binding was changed: %+v", got)
	}
	if w := env.writes(); !slices.Equal(w, []string{"POST /v1/mobile-apps/lark 500", "POST /v1/mobile-apps/lark 409"}) {
		t.Fatalf("writes = %q, want the failed POST and the refused one", w)
	}
}

// expectCalls checks every contract call (reads included) since the last check, then resets
// the log. Refreshes read too, so it suits checks that follow a create.
func (e *simEnv) expectCalls(want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var got []string
		for _, r := range e.sim.Requests() {
			status := strconv.Itoa(r.Status)
			if r.Status == 0 {
				status = "dropped"
			}
			got = append(got, r.Method+" "+r.Path+" "+status)
		}
		e.sim.ClearRequests()
		if !slices.Equal(got, want) {
			return fmt.Errorf("calls %q, want %q", got, want)
		}
		return nil
	}
}

// expectOneBinding checks that tenant 0 holds exactly one binding, of pc's platform.
func (e *simEnv) expectOneBinding(pc platformCase) resource.TestCheckFunc {
	return func(*terraform.State) error {
		states, err := e.sim.Bindings(e.tenants[0].AccessKey)
		if err != nil {
			return err
		}
		if len(states) != 1 || states[0].AppType != pc.appType || states[0].Identifier() != pc.ids[0] {
			return fmt.Errorf("the simulator holds %+v, want one %s binding of %s", states, pc.appType, pc.ids[0])
		}
		return nil
	}
}
