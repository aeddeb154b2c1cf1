// Package readiness asks the chat platforms, with read-only calls, whether a binding can open an
// incident's war room, and reaches a verdict per check.
package readiness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// DefaultTimeout bounds the checks of one binding, retries included: a plan waits for them.
const DefaultTimeout = 30 * time.Second

// Outcome is what a check found.
type Outcome int

const (
	// Ready: the check found nothing that keeps the war room from opening.
	Ready Outcome = iota
	// NotReady: the platform's answer shows that the war room would not open.
	NotReady
	// CouldNotTell: the platform gave no verdict (a caller it does not trust, a network error,
	// throttling after the retries, an answer that is not the platform's). Never a wrong value.
	CouldNotTell
)

func (o Outcome) String() string {
	return [...]string{Ready: "ready", NotReady: "not ready", CouldNotTell: "could not tell"}[o]
}

// Verdict is what one check found about a binding.
type Verdict struct {
	// Check names the check, as the package's checks table lists them: "wecom.agent".
	Check   string
	Outcome Outcome
	// Platform is the platform's name: "WeCom".
	Platform string
	// Attribute is the binding attribute the verdict is about, by its wire name.
	Attribute string
	// Finding says what the check found, in a sentence or two.
	Finding string
	// Fix says what to change and where (the platform's console page); for CouldNotTell, what
	// would let the check tell. Empty when ready.
	Fix string
	// Code, Message and RequestID are the platform's words, when the verdict rests on an answer
	// that carries them; scrubbed of every secret and token.
	Code, Message, RequestID string
}

// Answer renders the platform's words: its code, message and request ID, or "" without a code.
func (v Verdict) Answer() string {
	if v.Code == "" {
		return ""
	}
	return (&appcheck.Rejection{Code: v.Code, Message: v.Message, RequestID: v.RequestID}).Answer()
}

// Binding is a binding as configured.
type Binding struct {
	AppType platforms.AppType
	// Values holds the identifier, the fields and the secrets by their wire names. A value that
	// is empty is not known yet: the checks that need it are not asked.
	Values map[string]string
}

// Config configures a Checker.
type Config struct {
	Mode Mode
	// Apps asks the platforms, with their endpoints, retries, logger and HTTP client; required
	// unless Mode is Off.
	Apps *appcheck.Checker
	// Cache remembers verdicts; Checkers sharing one ask a platform once about each probe. nil
	// means a cache of the Checker's own.
	Cache *Cache
	// Timeout bounds the checks of one binding; zero means DefaultTimeout.
	Timeout time.Duration
	Logger  hwhttp.Logger
}

// Checker checks bindings with their platforms. It is safe for concurrent use.
type Checker struct {
	mode    Mode
	apps    *appcheck.Checker
	cache   *Cache
	timeout time.Duration
	logger  hwhttp.Logger
}

// New validates cfg and builds a Checker. It makes no network call.
func New(cfg Config) (*Checker, error) {
	if _, err := ParseMode(string(cfg.Mode)); err != nil {
		return nil, err
	}
	c := &Checker{mode: cfg.Mode, apps: cfg.Apps, cache: cfg.Cache, timeout: cfg.Timeout, logger: cfg.Logger}
	if c.mode == "" {
		c.mode = Off
	}
	if c.mode != Off && c.apps == nil {
		return nil, errors.New("war room readiness needs the platforms' client (appcheck)")
	}
	if c.cache == nil {
		c.cache = &Cache{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.logger == nil {
		c.logger = hwhttp.NopLogger{}
	}
	return c, nil
}

// Mode is the Checker's mode.
func (c *Checker) Mode() Mode { return c.mode }

// Check asks the binding's platform whether the binding can open a war room, and returns a
// verdict per check, in the order of the platform's checks, then the Local ones: only those
// when the mode is Off. The checks end within the Checker's timeout, retries included; each
// probe is asked once per cache for the same app, values and endpoint.
func (c *Checker) Check(ctx context.Context, b Binding) []Verdict {
	if c.mode == Off {
		return Local(b)
	}
	platform := platforms.MustFor(b.AppType)
	checks := checksOf(platform)
	bounded, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	s := &session{apps: c.apps, platform: platform, checks: checks, timeout: c.timeout}
	var out []Verdict
	for _, p := range checks.probes {
		out = append(out, c.probe(ctx, bounded, s, p, b.Values)...)
	}
	return distinct(append(out, Local(b)...))
}

// Local are the checks that need no call, which hold whatever the mode: a field that must have
// another's value (platforms.Field.SameAs) has it. A value not known yet is not checked.
func Local(b Binding) []Verdict {
	p := platforms.MustFor(b.AppType)
	var out []Verdict
	for _, f := range p.Fields {
		value, want := b.Values[f.Name], b.Values[f.SameAs]
		if f.SameAs == "" || value == "" || want == "" {
			continue
		}
		v := Verdict{Check: string(p.AppType) + "." + f.Name, Outcome: Ready, Platform: p.Name, Attribute: f.Name,
			Finding: fmt.Sprintf("%s is %s.", f.Name, f.SameAs)}
		if value != want {
			v.Outcome = NotReady
			v.Finding = fmt.Sprintf("%s %s is not %s %s: COC's console takes the %s %s to be the %s.", f.Name, value, f.SameAs, want,
				p.Name, f.Label, mustField(p, f.SameAs).Label)
			v.Fix = fmt.Sprintf("Set %s to %s, the %s, or leave it out: it defaults to %s.", f.Name, want, f.SameAs, f.SameAs)
		}
		out = append(out, v)
	}
	return out
}

func mustField(p platforms.Platform, name string) platforms.Field {
	f, _ := p.Field(name)
	return f
}

// probe runs p, or returns what it found before. parent is the caller's context: verdicts of a
// probe its caller abandoned are not remembered.
func (c *Checker) probe(parent, ctx context.Context, s *session, p probe, values map[string]string) []Verdict {
	endpoint := c.apps.Endpoint(s.platform.AppType)
	parts := []string{string(s.platform.AppType), p.name, endpoint}
	for _, name := range p.values {
		if values[name] == "" {
			return []Verdict{s.verdict(p.name, name, CouldNotTell, fmt.Sprintf("Not checked: %s is not known yet.", name),
				"The first plan after it is known checks it.")}
		}
		parts = append(parts, values[name])
	}
	verdicts, remembered, found := c.cache.do(ctx, c.cache.key(parts...), func() ([]Verdict, bool) {
		return p.run(ctx, s, values), parent.Err() == nil
	})
	fields := map[string]any{"app_id": values[s.platform.Identifier.Name], "endpoint": endpoint, "check": p.name}
	switch {
	case !found:
		return []Verdict{s.unanswered(ctx, p.name, p.values[0], errors.New("another check of the same app did not finish"))}
	case remembered:
		c.logger.Debug(ctx, fmt.Sprintf("%s answered these checks of this app before: not asking again", s.platform.Name), fields)
	default:
		c.logger.Debug(ctx, fmt.Sprintf("Checked whether the %s app can open war rooms", s.platform.Name), fields)
	}
	return verdicts
}

// distinct drops verdicts that repeat an earlier one's outcome, attribute and finding: two
// token calls of WeCom with a wrong enterprise_id find the same thing.
func distinct(verdicts []Verdict) []Verdict {
	var out []Verdict
	for _, v := range verdicts {
		if !slices.ContainsFunc(out, func(w Verdict) bool {
			return w.Outcome == v.Outcome && w.Attribute == v.Attribute && w.Finding == v.Finding
		}) {
			out = append(out, v)
		}
	}
	return out
}
