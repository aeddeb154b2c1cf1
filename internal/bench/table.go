package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the report. Ratio and target are empty where nothing is compared.
type row struct {
	section string
	measure string
	value   string
	// against is what the value is compared with.
	against string
	ratio   string
	target  string
	// met is "yes", "NO" or empty when the row has no target.
	met string
}

type report struct{ rows []row }

func (r *report) add(rw row) { r.rows = append(r.rows, rw) }

// check records a row whose ratio (or value) must not exceed limit.
func (r *report) check(rw row, got, limit float64) {
	rw.met = "yes"
	if got > limit {
		rw.met = "NO"
	}
	r.add(rw)
}

func (r *report) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "section\tmeasure\tvalue\tcompared with\tratio\ttarget\tmet")
	fmt.Fprintln(tw, "-------\t-------\t-----\t-------------\t-----\t------\t---")
	previous := ""
	for _, rw := range r.rows {
		section := rw.section
		if section == previous {
			section = ""
		}
		previous = rw.section
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", section, rw.measure, rw.value, rw.against, rw.ratio, rw.target, rw.met)
	}
	_ = tw.Flush()
}

func (r *report) missed() []string {
	var out []string
	for _, rw := range r.rows {
		if rw.met == "NO" {
			out = append(out, strings.TrimSpace(rw.section+" "+rw.measure))
		}
	}
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mib(bytes int64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }

func times(x float64) string { return fmt.Sprintf("%.2f×", x) }
