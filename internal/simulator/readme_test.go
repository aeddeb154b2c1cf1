package simulator_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// README.md documents every admin route under a heading of its own with an example, and the
// examples work: run in the README's order against a fresh simulator, each one succeeds.
func TestReadmeDocumentsEveryAdminRouteWithAWorkingExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	demo := simulator.Tenant{AccessKey: "DEMOAK", SecretKey: "DEMOSK", DomainID: "demo-domain"}
	sim := simulator.New([]simulator.Tenant{demo})
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)

	heading := regexp.MustCompile("^#### `([A-Z]+ /_sim/[^`]*)`$")
	curl := regexp.MustCompile(`^curl (?:-X ([A-Z]+) )?"\$HW_COC_ENDPOINT(/_sim/[^"?]*)"(?: -d '(.*)')?$`)
	var documented []string
	route := ""
	examples := map[string]int{}
	for line := range strings.SplitSeq(string(readme), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			route = m[1]
			documented = append(documented, route)
			continue
		}
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		m := curl.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("README.md: cannot read the example %q: write it as curl [-X METHOD] \"$HW_COC_ENDPOINT/_sim/...\" [-d '...']", line)
			continue
		}
		method, path, body := m[1], m[2], strings.ReplaceAll(m[3], `'"$HW_DOMAIN_ID"'`, demo.DomainID)
		if method == "" {
			method = http.MethodGet
		}
		if !routeMatches(route, method, path) {
			t.Errorf("README.md: the example %s %s is under the heading of %q", method, path, route)
		}
		examples[route]++
		req, err := http.NewRequest(method, server.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Errorf("README.md: %s %s %s answered %d", method, path, body, resp.StatusCode)
		}
	}

	routes := sim.AdminRoutes()
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("README.md does not document the admin route %s: add a heading \"#### `%s`\" with its body and an example", r, r)
		} else if examples[r] != 1 {
			t.Errorf("README.md has %d examples of %s, want one", examples[r], r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("README.md documents %s, which the admin API does not serve", d)
		}
	}
}

// routeMatches reports whether a call is one of the route "METHOD /pattern".
func routeMatches(route, method, path string) bool {
	wantMethod, pattern, _ := strings.Cut(route, " ")
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if wantMethod != method || len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i] != got[i] && !strings.HasPrefix(want[i], "{") {
			return false
		}
	}
	return true
}
