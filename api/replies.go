package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// The document's Reply is the domain's.
type (
	Reply     = credit.Reply
	ReplyPage = Page[credit.Reply]
)

// ListReplies: customers' replies, for credit; the unmatched ones for admins.
func (h handlers) ListReplies(ctx context.Context, req ListRepliesRequestObject) (ListRepliesResponseObject, error) {
	limit, afterSeq, err := idPageParams(req.Params.Limit, req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	f := store.ReplyFilter{Status: string(deref(req.Params.Status)), AccountID: deref(req.Params.AccountId)}
	items, next, err := h.Store.Replies(ctx, f, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	return ListReplies200JSONResponse(idPageOf(items, next)), nil
}

// MarkReplyRead: someone in credit read the reply; the reply's workflow
// ends the pause on its customer's invoices and records the reader. Once
// that workflow has ended (the pause ran out, or the reply matched no
// account), the reading is recorded on the reply alone.
func (h handlers) MarkReplyRead(ctx context.Context, req MarkReplyReadRequestObject) (MarkReplyReadResponseObject, error) {
	r, err := h.Store.Reply(ctx, req.Id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("reply", req.Id)
	}
	if err != nil {
		return nil, err
	}
	if r.Status == credit.ReplyRead {
		return MarkReplyRead200JSONResponse(r), nil
	}
	by := currentUser(ctx).Email
	gone := func() string { return "the reply no longer pauses reminders" }
	err = h.update(ctx, workflows.ReplyWorkflowID(r.ID), "read/"+r.ID, workflows.ReadReplyUpdate, workflows.ReadReply{By: by}, nil, gone)
	var p *Problem
	if errors.As(err, &p) && p.Status == http.StatusConflict {
		err = h.Store.MarkReplyRead(ctx, r.ID, by, h.Now())
	}
	if err != nil {
		return nil, err
	}
	if r, err = h.Store.Reply(ctx, r.ID); err != nil {
		return nil, err
	}
	return MarkReplyRead200JSONResponse(r), nil
}
