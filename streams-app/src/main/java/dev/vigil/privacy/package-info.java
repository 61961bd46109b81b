/**
 * Identifiers as they may leave the stream: the deployment's pseudonym key, the keyed hash that
 * turns ids into pseudonyms, and what outputs carry (PublishedIds). Below every stage.
 */
package dev.vigil.privacy;
