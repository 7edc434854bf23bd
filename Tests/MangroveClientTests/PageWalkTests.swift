import MangroveAPI
import Testing

@testable import MangroveClient

@Suite("Paging rule")
struct PageWalkTests {
    @Test("total_pages decides when present")
    func totalPages() {
        let meta = PageMeta(page: 1, perPage: 100, totalCount: 250, totalPages: 3)
        #expect(PageWalk.nextPage(after: 1, received: 100, new: 100, requestedPerPage: 100, meta: meta) == 2)
        #expect(PageWalk.nextPage(after: 2, received: 100, new: 100, requestedPerPage: 100, meta: meta) == 3)
        #expect(PageWalk.nextPage(after: 3, received: 50, new: 50, requestedPerPage: 100, meta: meta) == nil)
        // A server that caps per_page lower than asked still gets every page.
        let capped = PageMeta(page: 1, perPage: 50, totalCount: 120, totalPages: 3)
        #expect(PageWalk.nextPage(after: 1, received: 50, new: 50, requestedPerPage: 100, meta: capped) == 2)
    }

    @Test("without meta a short page is the last")
    func shortPage() {
        #expect(PageWalk.nextPage(after: 1, received: 100, new: 100, requestedPerPage: 100, meta: nil) == 2)
        #expect(PageWalk.nextPage(after: 2, received: 99, new: 99, requestedPerPage: 100, meta: nil) == nil)
        #expect(PageWalk.nextPage(after: 1, received: 50, new: 50, requestedPerPage: 100, meta: PageMeta(perPage: 50)) == 2)
    }

    @Test("an empty page or a page of repeats ends the walk")
    func emptyOrRepeats() {
        #expect(PageWalk.nextPage(after: 1, received: 0, new: 0, requestedPerPage: 100, meta: nil) == nil)
        #expect(PageWalk.nextPage(after: 4, received: 100, new: 0, requestedPerPage: 100, meta: nil) == nil)
        let lying = PageMeta(totalPages: 1000)
        #expect(PageWalk.nextPage(after: 4, received: 100, new: 0, requestedPerPage: 100, meta: lying) == nil)
    }
}
