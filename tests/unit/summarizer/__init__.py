"""The summarizer service: call state, handovers, wrap-ups, manager summaries, their evaluation."""
