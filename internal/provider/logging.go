package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// tflogLogger routes the COC client's and the credential chain's logs to tflog, with the caller's
// context so that the masks set up by maskLogs apply to them too. It also masks, on every line,
// every secret the chain has handled so far: credentials obtained in the middle of a call are
// unknown to a context built before it.
type tflogLogger struct {
	secrets *credentials.Secrets
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(maskLogs(ctx, l.secrets.Values()), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(maskLogs(ctx, l.secrets.Values()), msg, fields)
}

// maskLogs replaces every given value with *** wherever it would appear in a log message or
// field written with the returned context.
func maskLogs(ctx context.Context, values []string) context.Context {
	if len(values) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, values...)
	return tflog.MaskMessageStrings(ctx, values...)
}
