package coc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// createPosts is what the POSTs of one create have done: whether the last one was sent in full,
// so that a create given up on (cancelled, timed out) is known to have reached COC or not, and
// how many it may still send. A create sends at most max_retries + 1 POSTs, whatever mix of
// throttling, server faults and lost answers it meets: the retrying client's retries of a
// throttled POST and the create's own after a read-back share one budget.
type createPosts struct {
	written atomic.Bool
	left    atomic.Int64
}

type createPostsKey struct{}

// maxRetriesCap bounds the budget whatever max_retries says; the provider allows at most 20.
const maxRetriesCap = 100

// errNoPostLeft is a POST the budget did not allow: nothing was sent.
var errNoPostLeft = errors.New("not sent: the create has sent as many POSTs as max_retries allows")

// watch marks ctx so that the client's postCounting transport reports to p. A ClientTrace in ctx
// itself would also hear the calls that obtain the credentials (IAM, the metadata service), which
// share the request's context: a create given up on while those run would pass for written.
func (p *createPosts) watch(ctx context.Context) context.Context {
	return context.WithValue(ctx, createPostsKey{}, p)
}

func postsOf(ctx context.Context) *createPosts {
	p, _ := ctx.Value(createPostsKey{}).(*createPosts)
	return p
}

// mayPostAgain is the create's retry rule: the retrying client repeats a POST that provably did
// not reach COC, while the budget lasts.
func mayPostAgain(ctx context.Context, resp *http.Response, err error) bool {
	p := postsOf(ctx)
	return hwhttp.RetryUnsent(ctx, resp, err) && (p == nil || p.left.Load() > 0)
}

// refund gives back the POST the gateway refused for expired credentials: it never reached COC,
// and the client sends it once more with renewed ones.
func refund(ctx context.Context) {
	if p := postsOf(ctx); p != nil {
		p.left.Add(1)
	}
}

// postCounting sits under the signing transport, where the credentials have been obtained, and
// counts and traces each POST of a create.
type postCounting struct{ next http.RoundTripper }

func (t postCounting) RoundTrip(req *http.Request) (*http.Response, error) {
	p := postsOf(req.Context())
	if p == nil || req.Method != http.MethodPost {
		return t.next.RoundTrip(req) // the create's read-back and re-sending PUT are not POSTs
	}
	if p.left.Add(-1) < 0 {
		return nil, errNoPostLeft
	}
	p.written.Store(false)
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { p.written.Store(info.Err == nil) },
	}))
	return t.next.RoundTrip(req)
}
