/**
 * Settings the stages share (MonitoringConfig, ConversationRules) and topic names. Below every
 * stage.
 */
package dev.vigil.config;
