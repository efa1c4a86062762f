// Linked with the whole archive of one layer and only the layers below it: the link fails when the
// layer calls into a higher one (cmake/layers.cmake).
int main() { return 0; }
