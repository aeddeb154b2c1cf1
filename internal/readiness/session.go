package readiness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// checks is how readiness asks one platform.
type checks struct {
	// probes each obtain a token and make the reads that use it; each is remembered on its own.
	probes []probe
	// busy are the codes, besides its token call's (platforms.TokenCall.Busy), with which the
	// platform asks to try again later.
	busy []string
	// ipNotTrusted is the code with which the platform refuses a caller outside the app's
	// trusted IP addresses, and trustIPs says where to add one.
	ipNotTrusted, trustIPs string
}

// probe is a token call and the reads that use its token.
type probe struct {
	// name is the check of its token call.
	name string
	// values are the binding values it sends or compares, the first the attribute its token
	// call is about: what it is remembered by.
	values []string
	run    func(ctx context.Context, s *session, values map[string]string) []Verdict
}

// platformChecks are the checks of each platform whose API for them is known; any other
// platform's are credentialsOnly.
var platformChecks = map[platforms.AppType]checks{
	platforms.WeCom:    weComChecks,
	platforms.DingTalk: dingTalkChecks,
	platforms.Lark:     larkChecks,
}

func checksOf(p platforms.Platform) checks {
	if c, ok := platformChecks[p.AppType]; ok {
		return c
	}
	return credentialsOnly(p)
}

// credentialsOnly are the checks of a platform described by its token call alone: each secret
// obtains a token with the identifier (1 call each). They say that the credentials work, not yet
// that the app may open group chats, which takes the platform's own reads.
func credentialsOnly(p platforms.Platform) checks {
	var c checks
	id := p.Identifier.Name
	for _, secret := range p.SecretNames() {
		check := string(p.AppType) + ".credentials"
		c.probes = append(c.probes, probe{name: check, values: []string{secret, id},
			run: func(ctx context.Context, s *session, values map[string]string) []Verdict {
				_, v := s.token(ctx, check, values[id], values[secret], secret, func(r *appcheck.Rejection) Verdict {
					if r.Code == p.Token.UnknownApp.Code {
						return s.verdict(check, id, NotReady, fmt.Sprintf("%s does not know the app %s.", p.Name, values[id]), s.where(id))
					}
					return s.verdict(check, secret, NotReady, fmt.Sprintf("%s refused %s for the app %s.", p.Name, secret, values[id]), s.secretFix(secret))
				})
				return []Verdict{v}
			}})
	}
	return c
}

// session asks one platform about one binding.
type session struct {
	apps     *appcheck.Checker
	platform platforms.Platform
	checks   checks
	timeout  time.Duration
}

func (s *session) verdict(check, attribute string, o Outcome, finding, fix string) Verdict {
	return Verdict{Check: check, Outcome: o, Platform: s.platform.Name, Attribute: attribute, Finding: finding, Fix: fix}
}

// quoting adds the platform's words to v.
func quoting(v Verdict, code, message, requestID string) Verdict {
	v.Code, v.Message, v.RequestID = code, message, requestID
	return v
}

// token obtains an access token with an app ID and a secret, the secret being attribute's.
// Without a token, the verdict says why: a refusal is judged by refused, unless the platform
// was busy or did not trust the caller.
func (s *session) token(ctx context.Context, check, appID, secret, attribute string, refused func(*appcheck.Rejection) Verdict) (string, Verdict) {
	token, err := s.apps.Token(ctx, s.platform.AppType, appID, secret)
	var rejection *appcheck.Rejection
	switch {
	case err == nil:
		return token, s.verdict(check, attribute, Ready, fmt.Sprintf("%s issued an access token for %s.", s.platform.Name, appID), "")
	case errors.As(err, &rejection):
		if v, ok := s.undecided(check, attribute, rejection.Code, rejection.Message, rejection.RequestID, false); ok {
			return "", v
		}
		return "", quoting(refused(rejection), rejection.Code, rejection.Message, rejection.RequestID)
	}
	return "", s.unanswered(ctx, check, attribute, err)
}

// read sends r and returns the answer when it is a success to judge. Otherwise the verdict says
// why not: refused judges the platform's error codes it knows; every other is no verdict.
func (s *session) read(ctx context.Context, check, attribute string, r appcheck.Read, refused func(appcheck.Answer) (Verdict, bool)) (appcheck.Answer, Verdict, bool) {
	a, err := s.apps.Read(ctx, s.platform.AppType, r)
	if err != nil {
		return a, s.unanswered(ctx, check, attribute, err), false
	}
	unclear := func(what string) Verdict {
		return quoting(s.verdict(check, attribute, CouldNotTell, fmt.Sprintf("%s gave no verdict: %s.", s.platform.Name, what),
			"Check that the platform endpoint is "+s.platform.Name+"'s, and plan again."), a.Code, a.Message, a.RequestID)
	}
	switch {
	case a.Members == nil:
		return a, unclear(fmt.Sprintf("the answer is not the platform's JSON (HTTP %d)", a.Status)), false
	case a.Failed:
		// A 429 that lasts through the retries is throttling, whatever its code.
		if v, ok := s.undecided(check, attribute, a.Code, a.Message, a.RequestID, a.Busy || a.Status == http.StatusTooManyRequests); ok {
			return a, v, false
		}
		if refused != nil {
			if v, ok := refused(a); ok {
				return a, quoting(v, a.Code, a.Message, a.RequestID), false
			}
		}
		return a, unclear("it refused the read with " + a.Describe() + ", which says nothing about the binding"), false
	case a.Status != http.StatusOK:
		return a, unclear("the answer is " + a.Describe() + " without an error code"), false
	case s.platform.Token.SuccessCode != "" && a.Code == "":
		return a, unclear("the answer has no " + s.platform.Token.Code), false
	}
	return a, Verdict{}, true
}

// undecided is the verdict on an error code that gives none: the platform is busy, or does not
// trust the caller's address.
func (s *session) undecided(check, attribute, code, message, requestID string, busy bool) (Verdict, bool) {
	switch {
	case busy || slices.Contains(s.checks.busy, code):
		return quoting(s.verdict(check, attribute, CouldNotTell,
			fmt.Sprintf("%s is throttling or busy, after the retries.", s.platform.Name), "Plan again later."), code, message, requestID), true
	case code != "" && code == s.checks.ipNotTrusted:
		return quoting(s.verdict(check, attribute, CouldNotTell,
			fmt.Sprintf("%s refused the call: the caller's IP address is not among the app's trusted IP addresses.", s.platform.Name),
			"To check from here, add this machine's public address to the app's trusted IP addresses ("+s.checks.trustIPs+"). "+
				"COC's own addresses must be trusted too, or COC cannot open the war room."), code, message, requestID), true
	}
	return Verdict{}, false
}

// unanswered is the verdict when no answer came: err is an *appcheck.UnavailableError, or the
// checks ran out of time.
func (s *session) unanswered(ctx context.Context, check, attribute string, err error) Verdict {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return s.verdict(check, attribute, CouldNotTell,
			fmt.Sprintf("%s did not answer within the %s the checks of a binding may take, retries included.", s.platform.Name, s.timeout),
			"Plan again; if it lasts, check that the platform endpoint is reachable from here.")
	}
	reason := err.Error()
	var unavailable *appcheck.UnavailableError
	if errors.As(err, &unavailable) {
		reason = unavailable.Reason
	}
	return s.verdict(check, attribute, CouldNotTell, fmt.Sprintf("%s gave no verdict: %s.", s.platform.Name, strings.TrimSuffix(reason, ".")),
		"Plan again; if it lasts, check that the platform endpoint is reachable from here.")
}

// where says what a field is and where the platform's console shows it, from its description.
func (s *session) where(field string) string {
	f, _ := s.platform.Field(field)
	description := strings.ReplaceAll(f.Description, "**", "")
	first, size := utf8.DecodeRuneInString(description)
	return field + " is " + string(unicode.ToLower(first)) + description[size:]
}

// secretFix is the fix for a secret the platform refused.
func (s *session) secretFix(field string) string {
	return s.where(field) + " If it was reset on " + s.platform.Name + ", put the new one in the configuration: COC keeps the old one until it is applied."
}

// member decodes an answer's member into v, reporting whether it is there and of v's shape.
func member(a appcheck.Answer, name string, v any) bool {
	raw, ok := a.Members[name]
	return ok && json.Unmarshal(raw, v) == nil
}
