/**
 * The wiring: Vigil's whole topology, assembled from the stages (ingest, classify, conversation,
 * aggregate, alert, abuse), which sit below it and never use it.
 */
package dev.vigil.topology;
