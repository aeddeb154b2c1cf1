package credentials

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// DefaultMetadataEndpoint is where ECS instances and CCE nodes reach the metadata service.
const DefaultMetadataEndpoint = "http://169.254.169.254"

// metadataConnectTimeout is short so that a machine without a metadata service (a laptop) gets
// the "no credentials" error quickly.
const metadataConnectTimeout = 2 * time.Second

// Metadata obtains the temporary credentials of the agency attached to the ECS instance or CCE
// node the provider runs on.
type Metadata struct {
	base   *url.URL
	client *retryablehttp.Client
	opts   Options
}

// NewMetadata returns a client of the metadata service at endpoint (DefaultMetadataEndpoint when
// empty). It makes no network call.
func NewMetadata(endpoint string, o Options) (*Metadata, error) {
	base, err := hwhttp.ParseEndpoint(cmp.Or(endpoint, DefaultMetadataEndpoint))
	if err != nil {
		return nil, err
	}
	o = o.withDefaults()
	return &Metadata{base: base, client: o.retrying("metadata service", httpClient(o, metadataClient), retryAnswers, nil), opts: o}, nil
}

func metadataClient() *http.Client {
	t := cleanhttp.DefaultPooledTransport()
	// The link-local address is reached directly; HW_METADATA_ENDPOINT serves those who need a proxy.
	t.Proxy = nil
	t.DialContext = (&net.Dialer{Timeout: metadataConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{Transport: t, Timeout: defaultTimeout}
}

// retryAnswers retries throttling and server faults, but not a connection that failed: where no
// metadata service answers, the point is to say so quickly.
func retryAnswers(ctx context.Context, a *hwhttp.Answer, err error) bool {
	return err == nil && hwhttp.RetryIdempotent(ctx, a, nil)
}

func (m *Metadata) Retrieve(ctx context.Context) (hwhttp.Credentials, error) {
	req, err := newRequest(ctx, m.opts, http.MethodGet, m.base, MetadataSecurityKeyPath, nil)
	if err != nil {
		return hwhttp.Credentials{}, &Error{Source: m.String(), Err: err}
	}
	var answer CredentialResponse
	if _, err := send(m.client, req, http.StatusOK, m.opts.Secrets, &answer); err != nil {
		fix := ""
		if problem := hwhttp.TransportProblem(err); problem != "" {
			fix = fmt.Sprintf("Its address (%s, else %s) cannot work as set: %s", EnvMetadataEndpoint, DefaultMetadataEndpoint, problem)
		}
		return hwhttp.Credentials{}, &Error{Source: m.String(), Err: err, Fix: fix}
	}
	return answer.value(), nil
}

func (m *Metadata) String() string { return "the ECS metadata service at " + m.base.String() }
