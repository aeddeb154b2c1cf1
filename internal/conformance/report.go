package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Exit codes of the kit.
const (
	ExitConforms   = 0
	ExitDiffers    = 1
	ExitCouldntRun = 2
)

type verdict string

const (
	pass verdict = "PASS"
	diff verdict = "DIFF"
	skip verdict = "SKIP"
)

// report writes one line per check and a summary. Every line is scrubbed of every secret the run
// knows, whatever the endpoint echoed into it.
type report struct {
	out     io.Writer
	secrets *hwhttp.Secrets
	counts  map[verdict]int
	// notOffered is set when the gateway said it does not publish the API.
	notOffered bool
}

func newReport(out io.Writer, secrets *hwhttp.Secrets) *report {
	return &report{out: out, secrets: secrets, counts: map[verdict]int{}}
}

// check writes a check's line: the verdict, the call, what the contract says, what the endpoint
// did and the request id.
func (r *report) check(v verdict, call, contract, did, requestID string) {
	r.counts[v]++
	if requestID == "" {
		requestID = "none"
	}
	r.print(fmt.Sprintf("%s %s | contract: %s | endpoint: %s | request id: %s", v, call, contract, did, requestID))
}

// note writes a line that is not a check: what the cleanup did or could not do.
func (r *report) note(format string, args ...any) { r.print("NOTE " + fmt.Sprintf(format, args...)) }

func (r *report) print(line string) {
	line = strings.Map(func(c rune) rune {
		if c < ' ' || c == 0x7f {
			return ' '
		}
		return c
	}, line)
	_, _ = fmt.Fprintln(r.out, r.secrets.Scrub(line))
}

// summary writes the last line and returns the exit code: the run could not be completed
// (fatal; target is empty when it could not start), some check differs, or everything conforms.
func (r *report) summary(target string, fatal error) int {
	counts := fmt.Sprintf("%d PASS, %d DIFF, %d SKIP", r.counts[pass], r.counts[diff], r.counts[skip])
	switch {
	case fatal != nil && target == "":
		r.print("SUMMARY could not run: " + describeFatal(fatal))
		return ExitCouldntRun
	case fatal != nil:
		r.print(fmt.Sprintf("SUMMARY could not run against %s: %s (%s before it stopped)", target, describeFatal(fatal), counts))
		return ExitCouldntRun
	case r.counts[diff] > 0:
		line := fmt.Sprintf("SUMMARY %s: %s differs from internal/coc/CONTRACT.md", counts, target)
		if r.notOffered {
			line += "; it does not offer the COC mobile-app API (the API gateway answered " + hwhttp.CodeNotPublished + ")"
		}
		r.print(line)
		return ExitDiffers
	}
	r.print(fmt.Sprintf("SUMMARY %s: %s conforms to internal/coc/CONTRACT.md", counts, target))
	return ExitConforms
}

func describeFatal(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, errRefused):
		return err.Error() + "; no further request was signed, since the gateway locks an access key for 5 minutes after 5 refused " +
			"signatures in a row: check the credentials (HW_ACCESS_KEY, HW_SECRET_KEY, HW_SECURITY_TOKEN, or their source)"
	}
	return err.Error()
}
