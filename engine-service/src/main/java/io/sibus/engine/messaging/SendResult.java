package io.sibus.engine.messaging;

/** The answer to a send: the message id, and whether the send repeated an earlier one. */
public record SendResult(String messageId, boolean duplicate) {}
