// Command platform-coverage reads `go test -json` on its standard input, as
// `make test-fourth-platform` pipes it the whole suite built with the build tag fourthplatform,
// prints what go test would (a line per package, each failed test with its output), and then
// checks that the tests took every platform of the build in: the platform the tag adds as much
// as the others. It exits 1 when a test failed or a platform was left out.
//
//	go test ./... -json | go run ./internal/compat/cmd/platform-coverage
//
// The docs, the data source, the simulator and the demo are checked by their own tests, which
// derive every platform from the descriptions (internal/docgen's TestDocsCoverEveryPlatform,
// among others); this command checks what only the whole run shows: which tests ran for which
// platform.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cocops/terraform-provider-coc/internal/compat"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

func main() {
	collector := compat.NewCollector()
	var ran []run
	failed := false
	lines := bufio.NewScanner(os.Stdin)
	lines.Buffer(make([]byte, 1<<20), 16<<20)
	for lines.Scan() {
		var e compat.Event
		if json.Unmarshal(lines.Bytes(), &e) != nil {
			fmt.Println(lines.Text()) // not an event: go's own messages, such as a build failure
			continue
		}
		if e.Test == "" && (e.Action == "pass" || e.Action == "fail") {
			fmt.Printf("%-4s %s %.3fs\n", map[string]string{"pass": "ok", "fail": "FAIL"}[e.Action], e.Package, e.Elapsed)
		}
		if e.Test != "" && (e.Action == "pass" || e.Action == "fail") {
			ran = append(ran, run{pkg: e.Package, test: e.Test, passed: e.Action == "pass"})
		}
		if r := collector.Add(e); r != nil && r.Action == "fail" {
			failed = true
			fmt.Println(r)
			for _, line := range r.Output {
				fmt.Println(line)
			}
		}
	}
	if err := lines.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "platform-coverage:", err)
		os.Exit(1)
	}
	problems := check(ran, platforms.All())
	for _, p := range problems {
		fmt.Println("platform-coverage:", p)
	}
	if failed || len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("platform-coverage: %d tests ran, every one of the %d platforms in each area\n", len(ran), len(platforms.All()))
}
