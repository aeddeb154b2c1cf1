package hwhttp

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The API gateway locks an access key for 5 minutes after 5 refused signatures in a row, and a
// plan refreshes its resources in parallel: with a wrong secret key, every one of them would send
// a signature to be refused. KeyGate lets the first request signed with a key go alone (its
// trial); once the gateway has answered a request signed with the key with anything but a 401,
// the key is proven and requests go in parallel. A 401 that is not the expired-token case refuses
// the key for good: every later request of this client with it fails without being sent.
//
// The gateway refuses a signature as soon as it reads the request; a trial it has not answered
// within keyTrialWait is past that check, or stuck behind something that would hold the others
// too, so they stop waiting for it rather than hang behind one slow call.
type KeyGate struct {
	mu   sync.Mutex
	keys map[string]*keyState
	// trialWait is how long the others wait for a trial; zero means keyTrialWait.
	trialWait time.Duration
}

const keyTrialWait = 2 * time.Second

type keyState struct {
	proven  bool
	refused *KeyRefusedError
	// trial is closed when the request that tries an unproven key ends; nil when none does.
	trial chan struct{}
	// trialEnds is when the others stop waiting for the trial.
	trialEnds time.Time
}

// KeyRefusedError is a request that was not sent because the gateway refused a signature of the
// same access key earlier in this process. It is never retried.
type KeyRefusedError struct {
	AccessKey  string
	StatusCode int
	Code       string
	RequestID  string
}

func (e *KeyRefusedError) Error() string {
	msg := fmt.Sprintf("not sent: the gateway refused a request signed with access key %s earlier in this run (HTTP %d", e.AccessKey, e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.RequestID != "" {
		msg += ", request id " + e.RequestID
	}
	return msg + "), and the gateway locks a key for 5 minutes after 5 refused signatures in a row, so no further request is signed with it"
}

// enter waits until a request signed with accessKey may be sent, and returns what to call with
// its outcome. It fails without waiting once the key has been refused.
func (g *KeyGate) enter(ctx context.Context, accessKey string) (func(*http.Response), error) {
	for {
		g.mu.Lock()
		if g.keys == nil {
			g.keys = map[string]*keyState{}
		}
		st := g.keys[accessKey]
		if st == nil {
			st = &keyState{}
			g.keys[accessKey] = st
		}
		now := time.Now()
		switch {
		case st.refused != nil:
			g.mu.Unlock()
			return nil, st.refused
		case st.proven, st.trial != nil && !now.Before(st.trialEnds):
			g.mu.Unlock()
			return func(resp *http.Response) { g.settle(accessKey, st, resp, false) }, nil
		case st.trial == nil:
			st.trial, st.trialEnds = make(chan struct{}), now.Add(cmp.Or(g.trialWait, keyTrialWait))
			g.mu.Unlock()
			return func(resp *http.Response) { g.settle(accessKey, st, resp, true) }, nil
		}
		trial, wait := st.trial, time.NewTimer(st.trialEnds.Sub(now))
		g.mu.Unlock()
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil, ctx.Err()
		case <-trial:
		case <-wait.C:
		}
		wait.Stop()
	}
}

// settle records what the gateway said to a request signed with the key, deciding on the answer
// read below the gate (AnswerOf): none, which proves nothing, a 401 that refuses the key, or
// anything else, which proves it. A trial that ends lets the next request try again alone.
func (g *KeyGate) settle(accessKey string, st *keyState, resp *http.Response, trial bool) {
	a := AnswerOf(resp)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case a == nil:
	case a.StatusCode != http.StatusUnauthorized:
		st.proven = true
	case !a.TokenExpired() && st.refused == nil:
		scrub := RequestCredentials(resp.Request)
		st.refused = &KeyRefusedError{AccessKey: accessKey, StatusCode: a.StatusCode, Code: scrub.Scrub(a.Code),
			RequestID: scrub.Scrub(a.Header.Get(HeaderRequestID))}
	}
	if trial {
		close(st.trial)
		st.trial = nil
	}
}
