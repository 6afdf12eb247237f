"""The shared Keras training loop, its parts, and the lecture's nets as builders. Importing this
package imports no Keras: its modules do, when they are imported."""
