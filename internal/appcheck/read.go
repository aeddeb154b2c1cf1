package appcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Read is a call an app makes with its access token (see Token) to read what its platform
// knows about it. It changes nothing on the platform: a GET, or a POST whose body only asks for
// a page (WeCom's user/list_id).
type Read struct {
	Method string
	// Path is joined to the platform's endpoint.
	Path   string
	Query  url.Values
	Header http.Header
	// Body, when not nil, is sent as JSON.
	Body any
	// Secrets are what the call carries that no error nor log may repeat: the access token. They
	// join the Checker's registry (Config.Secrets).
	Secrets []string
}

// Answer is a platform's answer to a Read.
type Answer struct {
	Status int
	// Members is the answer's JSON object, nil when the body is not one.
	Members map[string]json.RawMessage
	// Code, Message and RequestID are the platform's error code, message and request ID, read as
	// its token call's are and scrubbed of the call's secrets. Failed says that Code is an error
	// code (present and not the success code), Busy that it asks to try again later.
	Code, Message, RequestID string
	Failed, Busy             bool
}

// Read sends a read through the platform's client, with its endpoint, retries and logs, and
// returns the platform's answer, whatever it says; an *UnavailableError when none came.
func (c *Checker) Read(ctx context.Context, t platforms.AppType, r Read) (Answer, error) {
	p := platforms.MustFor(t)
	base := c.endpoints[t]
	c.secrets.Add(r.Secrets...)
	scrub := c.secrets.Scrub
	unavailable := func(reason string) error {
		return &UnavailableError{Platform: p.Name, Endpoint: base.String(), Reason: scrub(reason)}
	}
	req, err := c.readRequest(ctx, base, r)
	if err != nil {
		return Answer{}, unavailable(hwhttp.WithoutQuery(err).Error())
	}
	resp, err := c.clients[t].Do(req)
	if err != nil {
		return Answer{}, unavailable(transportReason(err))
	}
	defer func() { _ = resp.Body.Close() }()
	answer := hwhttp.AnswerOf(resp)
	switch {
	case answer.ReadErr != nil:
		return Answer{}, unavailable("reading the answer failed: " + answer.ReadErr.Error())
	case answer.TooLarge:
		return Answer{}, unavailable(fmt.Sprintf("the answer exceeds %d bytes", answer.Limit))
	}
	a := Answer{Status: answer.StatusCode}
	if json.Unmarshal(answer.Body, &a.Members) != nil {
		a.Members = nil
		return a, nil
	}
	code, message, requestID := errorWords(p.Token, a.Members, answer.Header)
	a.Code, a.Message, a.RequestID = scrub(code), scrub(message), scrub(requestID)
	a.Failed = code != "" && code != p.Token.SuccessCode
	a.Busy = a.Failed && slices.Contains(p.Token.Busy, code)
	return a, nil
}

func (c *Checker) readRequest(ctx context.Context, base *url.URL, r Read) (*retryablehttp.Request, error) {
	target := base.JoinPath(r.Path)
	target.RawQuery = r.Query.Encode()
	var body any
	if r.Body != nil {
		payload, err := json.Marshal(r.Body)
		if err != nil {
			return nil, err
		}
		body = payload
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, target.String(), body)
	if err != nil {
		return nil, err
	}
	for name, values := range r.Header {
		req.Header[name] = values
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// Describe renders an answer's code and message, and its HTTP status when not 200, for an
// explanation.
func (a Answer) Describe() string {
	if a.Code == "" {
		return "HTTP " + strconv.Itoa(a.Status)
	}
	return verdict{code: a.Code, message: a.Message}.describe() + describeStatus(a.Status)
}

// Key hashes parts as the memory hashes the credentials it remembers (keyed, length-prefixed),
// for a caller that remembers more about them than whether they passed (internal/readiness).
func (m *Memory) Key(parts ...string) string { return m.digest(parts...) }
